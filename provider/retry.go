package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// retryDelay is the pause before the next attempt after a retriable broker error; it
// follows the client's RetryBackoffFn (see kgoOpts).
func retryDelay(tries int) time.Duration {
	return time.Duration(100*(1<<min(tries, 5))) * time.Millisecond
}

// retryOn runs attempt again, with retryDelay between tries, while retriable says its error
// is worth another try, until maxAttempts (0: no limit) or the context ends.
func retryOn(ctx context.Context, maxAttempts int, retriable func(error) bool, attempt func() error) error {
	for tries := 1; ; tries++ {
		err := attempt()
		if err == nil || !retriable(err) || (maxAttempts > 0 && tries >= maxAttempts) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (still failing after %d attempts: %w)", err, tries, ctx.Err())
		case <-time.After(retryDelay(tries)):
		}
	}
}

// retryRetriable runs attempt again while it fails with an error Kafka marks retriable,
// until the context ends. franz-go retries failed connections and NOT_CONTROLLER itself, but
// hands every other per-topic or per-resource code (REQUEST_TIMED_OUT, a broker that does
// not know a new topic yet, THROTTLING_QUOTA_EXCEEDED) back to the caller unretried.
func retryRetriable(ctx context.Context, attempt func() error) error {
	return retryOn(ctx, 0, kerr.IsRetriable, attempt)
}

// waitFor polls check until it reports done, the context ends, or the timeout passes. Each
// check gets a context that ends with the timeout, so a stalled broker cannot stretch the
// wait by its own read timeout.
func waitFor(ctx context.Context, timeout time.Duration, what string, check func(context.Context) (bool, error)) error {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	delay := 50 * time.Millisecond
	for {
		done, err := check(wctx)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		select {
		case <-wctx.Done():
			if ctx.Err() != nil {
				return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
			}
			return fmt.Errorf("timed out after %s waiting for %s", timeout, what)
		case <-time.After(delay):
		}
		delay = min(delay*2, time.Second)
	}
}
