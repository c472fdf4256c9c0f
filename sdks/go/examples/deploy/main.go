// Command deploy is the seed's Go example: a production deployment gated by a senior engineer's
// approval through HumanOS. deployCodeWithApproval (deploy.go) is the seed's code unchanged.
//
// Run it with the agent's credentials; a capability worker (devops, kubernetes) runs the approved
// deploy, and a senior_engineer approves it in the web inbox, the CLI or the API:
//
//	HUMANOS_URL=http://127.0.0.1:8787 HUMANOS_API_KEY=hos_… go run ./examples/deploy -service billing -version v1.2.3
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/human/sdk-go/humanos"
)

func main() {
	cfg := humanos.DeploymentConfig{}
	flag.StringVar(&cfg.Service, "service", "billing-api", "service to deploy")
	flag.StringVar(&cfg.Environment, "environment", "production", "target environment")
	flag.StringVar(&cfg.Version, "version", "v1.0.0", "version to deploy")
	flag.Parse()
	if err := deployCodeWithApproval(cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
