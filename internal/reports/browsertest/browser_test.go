package browsertest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/faultline-sim/faultline/internal/ci"
	"github.com/faultline-sim/faultline/internal/simrunbin"
)

const viewW, viewH = 1440, 900

// chromium finds the browser ($CHROMIUM if set, else the Debian paths or
// PATH), or skips (outside CI) or fails (with CI=true).
func chromium(t *testing.T) string {
	candidates := []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"}
	if p, err := exec.LookPath("chromium"); err == nil {
		candidates = append(candidates, p)
	}
	if p := os.Getenv("CHROMIUM"); p != "" {
		candidates = []string{p}
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if ci.On() {
		t.Fatalf("chromium not found at %v (CI=true: browser tests must run; install the chromium package)", candidates)
	}
	t.Skipf("chromium not found at %v: browser tests skipped (apt-get install chromium; with CI=true they fail instead)", candidates)
	return ""
}

// browser starts one headless Chromium for the test and kills it at the end.
func browser(t *testing.T) context.Context {
	path := chromium(t)
	profile, err := os.MkdirTemp("", "faultline-chromium-")
	require.NoError(t, err)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Headless,
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(profile),
		chromedp.WindowSize(viewW, viewH))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		// Close the browser and wait for its process to end (the
		// allocator's cancel kills it if it lingers), then its profile.
		_ = chromedp.Cancel(ctx)
		cancel()
		cancelAlloc()
		_ = os.RemoveAll(profile)
	})
	require.NoError(t, chromedp.Run(ctx), "start chromium")
	return ctx
}

func TestMain(m *testing.M) { simrunbin.Main(m) }

// sim runs simrun with args in dir and returns its exit status and output.
func sim(t *testing.T, dir string, args ...string) (int, string) {
	cmd := exec.Command(simrunbin.Path(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return code, string(out)
}

// simrunIn starts a browser (first: without one the test skips before
// any work), then runs simrun with args in a fresh directory and expects
// exit status code. It returns the browser and the directory.
func simrunIn(t *testing.T, code int, args ...string) (context.Context, string) {
	ctx := browser(t)
	dir := t.TempDir()
	got, out := sim(t, dir, args...)
	require.Equal(t, code, got, out)
	return ctx, dir
}

func artifacts(t *testing.T) string {
	if d := os.Getenv("FAULTLINE_ARTIFACTS"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

// page is what a test reads off a loaded report.
type page struct {
	Errors []string
	Probe  map[string]any
}

// open loads file in the browser, waits for its script, saves a
// screenshot of the first viewport as name.png, runs probe (a JS
// expression returning an object; it may click) and collects script
// errors. A page whose script
// marks the body data-ready="1" when done (the run report) is waited for.
func open(t *testing.T, ctx context.Context, file, name, probe string) page {
	ready := "body"
	if strings.Contains(probe, "document.body.dataset.ready") {
		ready = `body[data-ready="1"]`
	}
	tctx, cancel := chromedp.NewContext(ctx)
	defer cancel()
	var mu sync.Mutex
	var errs []string
	chromedp.ListenTarget(tctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			errs = append(errs, msg)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value))
				}
				errs = append(errs, "console.error: "+strings.Join(parts, " "))
			}
		}
	})
	abs, err := filepath.Abs(file)
	require.NoError(t, err)
	var shot []byte
	var raw []byte
	rctx, rcancel := context.WithTimeout(tctx, 45*time.Second)
	defer rcancel()
	start := time.Now()
	step := func(name string) chromedp.ActionFunc {
		return func(context.Context) error {
			t.Logf("%s: %s after %v", filepath.Base(file), name, time.Since(start).Round(time.Millisecond))
			return nil
		}
	}
	require.NoError(t, chromedp.Run(rctx,
		chromedp.EmulateViewport(viewW, viewH), step("viewport"),
		chromedp.Navigate("file://"+abs), step("loaded"),
		chromedp.WaitVisible(ready, chromedp.ByQuery), step("ready"),
		chromedp.CaptureScreenshot(&shot), step("screenshot"),
		chromedp.Evaluate(`JSON.stringify((function(){ return `+probe+`; })())`, &raw), step("probed"),
	), "load %s", file)
	var s string
	require.NoError(t, json.Unmarshal(raw, &s))
	p := page{Probe: map[string]any{}}
	require.NoError(t, json.Unmarshal([]byte(s), &p.Probe))
	png := filepath.Join(artifacts(t), name+".png")
	require.NoError(t, os.WriteFile(png, shot, 0o644))
	t.Logf("screenshot of the first viewport of %s: %s", filepath.Base(file), png)
	mu.Lock()
	p.Errors = append(p.Errors, errs...)
	mu.Unlock()
	return p
}

// common is the probe every page gets: size, overflow, tables.
const common = `{
  height: document.documentElement.scrollHeight,
  overflowX: document.documentElement.scrollWidth > window.innerWidth + 1,
  wideTables: [...document.querySelectorAll("table")].filter(t => t.getBoundingClientRect().right > window.innerWidth + 1).length,
  title: document.title
}`
