package main

import (
	"context"
	"fmt"
	"runtime"
)

func runVersion(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageErrorf("version takes no arguments")
	}
	fmt.Fprintf(e.stdout, "lantern %s (%s %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
