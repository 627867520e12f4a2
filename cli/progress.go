package cli

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-isatty"
)

// progress shows how far a long command (sweep, compare, crashpoints) is,
// on stderr: on a terminal one line redrawn at most ten times a second,
// otherwise a plain line every few seconds. The ETA is the remaining work
// at the average rate so far (elapsed / done), never the first second's.
type progress struct {
	w        io.Writer
	tty      bool
	label    string
	every    time.Duration
	start    time.Time
	mu       sync.Mutex
	last     time.Time
	drawn    bool
	finished bool
}

// progressInterval is how often a non-terminal gets a progress line;
// FAULTLINE_PROGRESS_EVERY (a Go duration) changes it, for tests and logs.
func progressInterval() time.Duration {
	if s := os.Getenv("FAULTLINE_PROGRESS_EVERY"); s != "" {
		if d, err := time.ParseDuration(s); err == nil && d > 0 {
			return d
		}
	}
	return 5 * time.Second
}

func newProgress(stderr io.Writer, label string) *progress {
	p := &progress{w: stderr, label: label, every: progressInterval(), start: time.Now()}
	if f, ok := stderr.(*os.File); ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		p.tty, p.every = true, 100*time.Millisecond
	}
	p.last = p.start
	return p
}

// line is the progress text after done of total units in elapsed.
func progressLine(label string, done, total int, elapsed time.Duration) string {
	s := fmt.Sprintf("%s: %d/%d (%.0f%%) in %s", label, done, total, 100*float64(done)/float64(max(total, 1)), elapsed.Round(time.Second))
	if done > 0 && done < total {
		eta := time.Duration(float64(elapsed) / float64(done) * float64(total-done))
		s += fmt.Sprintf(", about %s left", eta.Round(time.Second))
	}
	return s
}

// Update is called from worker goroutines after each unit of work.
func (p *progress) Update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.finished || (now.Sub(p.last) < p.every && done < total) {
		return
	}
	p.last = now
	line := progressLine(p.label, done, total, now.Sub(p.start))
	if p.tty {
		fmt.Fprintf(p.w, "\r\x1b[K%s", line)
		p.drawn = true
	} else if done < total {
		fmt.Fprintln(p.w, line)
	}
}

// Finish clears a terminal's progress line.
func (p *progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished = true
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// interrupt turns the first Ctrl-C (SIGINT) into a request to stop: the
// command finishes the runs in flight, reports what it covered, and exits
// 130. A second Ctrl-C exits at once.
type interrupt struct {
	stop atomic.Bool
	ch   chan os.Signal
	done chan struct{}
}

func onInterrupt(stderr io.Writer) *interrupt {
	in := &interrupt{ch: make(chan os.Signal, 2), done: make(chan struct{})}
	signal.Notify(in.ch, os.Interrupt)
	go func() {
		for {
			select {
			case <-in.done:
				return
			case <-in.ch:
				if in.stop.Swap(true) {
					fmt.Fprintln(stderr, "\ninterrupted again: exiting now")
					os.Exit(130)
				}
				fmt.Fprintln(stderr, "\ninterrupted: finishing the runs in flight (Ctrl-C again to quit at once)")
			}
		}
	}()
	return in
}

// Stopped reports whether Ctrl-C was pressed.
func (in *interrupt) Stopped() bool { return in.stop.Load() }

// Close stops listening for Ctrl-C.
func (in *interrupt) Close() {
	signal.Stop(in.ch)
	close(in.done)
}

// interrupted is the exit status after Ctrl-C, as a shell reports it.
const interrupted = exitCode(130)
