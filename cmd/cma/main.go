// Command cma runs the city's adult evening courses platform. See `cma help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // Europe/Paris on machines without a time-zone database

	"cma/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := app.Run(ctx, os.Args[1:], app.Env{Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr})
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "cma:", err)
	if errors.Is(err, app.ErrUsage) {
		os.Exit(2)
	}
	os.Exit(1)
}
