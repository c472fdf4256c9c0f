package humanos

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Worker claims approved tasks its capabilities cover and runs Handler on each, Concurrency at a
// time. Run blocks until its ctx ends, then shuts down gracefully: it claims nothing more and waits
// for running handlers to finish (their contexts are not cancelled by the shutdown; they are
// cancelled when a human overrides the task or its lease is lost, or after DrainTimeout).
// The worker's principal needs the executor role.
//
// Idle, it does not poll: each claim is a long-poll (ClaimWait) that the server answers as soon as
// work is approved; with every slot busy it makes no request until a handler finishes.
//
//	w := &humanos.Worker{
//		Client:       humanos.NewClient(), // HUMANOS_URL, HUMANOS_API_KEY
//		Capabilities: []string{"devops", "kubernetes"},
//		Concurrency:  4,
//		Handler: func(ctx context.Context, ex *humanos.Execution) (any, error) {
//			return deploy(ctx, ex.Payload, ex.ExecutionID) // ExecutionID: the side effect's idempotency key
//		},
//	}
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//	defer stop()
//	err := w.Run(ctx) // returns after SIGTERM once running handlers have finished
type Worker struct {
	Client       *Client
	Capabilities []string
	Handler      Handler
	// Concurrency is how many handlers run at once (default 1).
	Concurrency int
	// ClaimWait is how long one claim waits on the server for work (max 60 s, default LongPollWait):
	// an idle worker makes one request per ClaimWait and starts new work as soon as it is approved.
	ClaimWait time.Duration
	// PollInterval is the pause after a claim that failed, or that came back empty long before its
	// wait was over (an older server without the claim long-poll) (default 500 ms).
	PollInterval time.Duration
	// LeaseSeconds of each claimed task's lease (default 60).
	LeaseSeconds int
	// HeartbeatInterval (default a third of the lease).
	HeartbeatInterval time.Duration
	// DrainTimeout bounds the graceful shutdown: after it, running handlers' contexts are cancelled
	// (their leases then expire and the tasks go back to be claimed). 0: wait however long it takes.
	DrainTimeout time.Duration
	// OnError is told about failed claims, handler errors and stopped attempts (may be nil).
	OnError func(error)
	// OnDone is told about every task this worker completed or failed (may be nil).
	OnDone func(*Task)
}

// Run runs the worker until ctx ends (see Worker). It returns nil after a graceful shutdown, or an
// error when the worker is misconfigured.
func (w *Worker) Run(ctx context.Context) error {
	if w.Client == nil || w.Handler == nil || len(w.Capabilities) == 0 {
		return &Error{Code: "invalid_argument", Detail: "a Worker needs a Client, a Handler and Capabilities"}
	}
	concurrency := w.Concurrency
	if concurrency <= 0 {
		concurrency = 1
	}
	poll := w.PollInterval
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	wait := w.ClaimWait
	if wait <= 0 {
		wait = LongPollWait
	}
	// Handlers outlive ctx (graceful shutdown) but can be cancelled after the drain timeout.
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	s := &slots{freed: make(chan struct{}, concurrency)}
	for ctx.Err() == nil {
		free := concurrency - s.count()
		if free <= 0 {
			select {
			case <-ctx.Done():
			case <-s.freed:
			}
			continue
		}
		asked := time.Now()
		claimed := w.claim(ctx, free, wait)
		for _, ex := range claimed {
			s.start()
			go func(ex *Execution) {
				defer s.done()
				w.runOne(runCtx, ex)
			}(ex)
		}
		// Empty long before the wait was over: not a long-poll answer (an error, an older server
		// answering at once). Pause rather than ask again at once.
		if len(claimed) == 0 && time.Since(asked) < wait/2 {
			select {
			case <-ctx.Done():
			case <-time.After(poll):
			}
		}
	}
	w.drain(&s.wg, cancelRuns)
	return nil
}

// slots counts the handlers running and wakes the claim loop when one ends.
type slots struct {
	mu      sync.Mutex
	running int
	freed   chan struct{}
	wg      sync.WaitGroup
}

func (s *slots) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running
}

func (s *slots) start() {
	s.mu.Lock()
	s.running++
	s.mu.Unlock()
	s.wg.Add(1)
}

func (s *slots) done() {
	s.mu.Lock()
	s.running--
	s.mu.Unlock()
	select {
	case s.freed <- struct{}{}:
	default:
	}
	s.wg.Done()
}

func (w *Worker) report(err error) {
	if w.OnError != nil && err != nil {
		w.OnError(err)
	}
}

// claim claims up to free tasks, waiting up to wait for work. A shutdown (ctx ends) abandons the
// wait: the server claims nothing for a client that left (a task claimed in that very instant is
// claimable again when its lease runs out).
func (w *Worker) claim(ctx context.Context, free int, wait time.Duration) []*Execution {
	claimed, err := w.Client.Claim(ctx, w.Capabilities, ClaimOptions{Limit: free, LeaseSeconds: w.LeaseSeconds, Wait: wait})
	if ctx.Err() == nil {
		w.report(err)
	}
	return claimed
}

// runOne runs one claimed execution and tells OnError / OnDone how it went.
func (w *Worker) runOne(ctx context.Context, ex *Execution) {
	t, err := w.Client.RunExecution(ctx, ex, w.Handler, w.HeartbeatInterval)
	w.report(err)
	if t != nil && w.OnDone != nil {
		w.OnDone(t)
	} else if t == nil && w.OnDone != nil && err != nil && !isStop(err) {
		// The handler failed and the task was reported failed.
		if ft, gerr := w.Client.GetTask(ctx, ex.TaskID); gerr == nil {
			w.OnDone(ft)
		}
	}
}

// drain waits for the running handlers; after DrainTimeout (if set) it cancels them first.
func (w *Worker) drain(wg *sync.WaitGroup, cancelRuns context.CancelFunc) {
	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	if w.DrainTimeout > 0 {
		select {
		case <-drained:
		case <-time.After(w.DrainTimeout):
			cancelRuns()
			<-drained
		}
	} else {
		<-drained
	}
}

func isStop(err error) bool {
	var herr *Error
	return errors.As(err, &herr) && stopCodes[herr.Code]
}
