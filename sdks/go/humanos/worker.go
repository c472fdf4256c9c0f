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
	// PollInterval between claims when nothing was claimable (default 500 ms).
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
	// Handlers outlive ctx (graceful shutdown) but can be cancelled after the drain timeout.
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	var wg sync.WaitGroup
	var mu sync.Mutex
	running := 0
	freed := make(chan struct{}, concurrency)
	report := func(err error) {
		if w.OnError != nil && err != nil {
			w.OnError(err)
		}
	}

	for ctx.Err() == nil {
		mu.Lock()
		free := concurrency - running
		mu.Unlock()
		var claimed []*Execution
		if free > 0 {
			// The claim itself is not cut short by ctx: a claim the server granted must be run.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.Client.timeout)
			var err error
			claimed, err = w.Client.Claim(cctx, w.Capabilities, ClaimOptions{Limit: free, LeaseSeconds: w.LeaseSeconds})
			cancel()
			if err != nil {
				report(err)
			}
		}
		for _, ex := range claimed {
			mu.Lock()
			running++
			mu.Unlock()
			wg.Add(1)
			go func(ex *Execution) {
				defer wg.Done()
				defer func() {
					mu.Lock()
					running--
					mu.Unlock()
					select {
					case freed <- struct{}{}:
					default:
					}
				}()
				t, err := w.Client.RunExecution(runCtx, ex, w.Handler, w.HeartbeatInterval)
				if err != nil {
					report(err)
				}
				if t != nil && w.OnDone != nil {
					w.OnDone(t)
				} else if t == nil && w.OnDone != nil && err != nil && !isStop(err) {
					// The handler failed and the task was reported failed.
					if ft, gerr := w.Client.GetTask(runCtx, ex.TaskID); gerr == nil {
						w.OnDone(ft)
					}
				}
			}(ex)
		}
		if len(claimed) == 0 {
			select {
			case <-ctx.Done():
			case <-freed:
			case <-time.After(poll):
			}
		}
	}

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
	return nil
}

func isStop(err error) bool {
	var herr *Error
	return errors.As(err, &herr) && stopCodes[herr.Code]
}
