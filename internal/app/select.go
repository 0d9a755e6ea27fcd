package app

import (
	"context"
	"fmt"
)

// selectCmd runs `cma select …` (the selection engine; see package allocation).
func selectCmd(ctx context.Context, args []string, env Env) error {
	return fmt.Errorf("%w: `cma select simulate` is not available yet", ErrUsage)
}
