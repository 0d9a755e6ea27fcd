// Command cma runs the city's adult evening courses platform. See `cma help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	_ "time/tzdata" // Europe/Paris on machines without a time-zone database

	"cma/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := app.Run(ctx, os.Args[1:], app.Env{Getenv: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	if err == nil {
		return
	}
	// One line, whatever the driver's message looks like.
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
	fmt.Fprintln(os.Stderr, "cma:", msg)
	if errors.Is(err, app.ErrUsage) {
		os.Exit(2)
	}
	os.Exit(1)
}
