package deploy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/internal/sweep"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// manifest is the part of sweep-job.yaml the test reads.
type manifest struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int    `yaml:"completions"`
		Parallelism    int    `yaml:"parallelism"`
		Template       struct {
			Spec struct {
				RestartPolicy string `yaml:"restartPolicy"`
				Containers    []struct {
					Image        string   `yaml:"image"`
					Command      []string `yaml:"command"`
					Args         []string `yaml:"args"`
					VolumeMounts []struct {
						Name      string `yaml:"name"`
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
				Volumes []struct {
					Name string `yaml:"name"`
					PVC  struct {
						ClaimName string `yaml:"claimName"`
					} `yaml:"persistentVolumeClaim"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

func readManifest(t *testing.T) (job manifest, claims []string) {
	t.Helper()
	data, err := os.ReadFile("sweep-job.yaml")
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	jobs := 0
	for {
		var m manifest
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		switch m.Kind {
		case "Job":
			job, jobs = m, jobs+1
		case "PersistentVolumeClaim":
			claims = append(claims, m.Metadata.Name)
		}
	}
	require.Equal(t, 1, jobs, "one Job in the manifest")
	return job, claims
}

// sweepLine is the simrun sweep command of the pod's script.
var sweepLine = regexp.MustCompile(`(?m)^\s*simrun sweep .*$`)

func TestIndexedJobRunsOneShardPerIndex(t *testing.T) {
	job, claims := readManifest(t)
	require.Equal(t, "batch/v1", job.APIVersion)
	require.Equal(t, "Indexed", job.Spec.CompletionMode)
	n := job.Spec.Completions
	require.Positive(t, n)
	require.LessOrEqual(t, job.Spec.Parallelism, n)
	pod := job.Spec.Template.Spec
	require.Equal(t, "Never", pod.RestartPolicy, "backoffLimitPerIndex needs restartPolicy Never")
	require.Len(t, pod.Containers, 1)
	c := pod.Containers[0]
	require.Equal(t, []string{"/bin/sh", "-c"}, c.Command)
	require.Len(t, c.Args, 1)
	script := c.Args[0]

	cmd := sweepLine.FindString(script)
	require.NotEmpty(t, cmd, "the script runs simrun sweep")
	args := strings.Fields(cmd)
	flags := map[string]string{}
	for i := 3; i+1 < len(args); i++ {
		if strings.HasPrefix(args[i], "--") && !strings.HasPrefix(args[i+1], "--") {
			flags[args[i]] = args[i+1]
		}
	}
	_, err := scenarios.Get(args[2])
	require.NoError(t, err, "the scenario exists")
	_, _, err = sweep.ParseRange(flags["--seeds"])
	require.NoError(t, err)
	require.Equal(t, "$JOB_COMPLETION_INDEX/"+strconv.Itoa(n), flags["--shard"], "the shard count is the Job's completions")
	require.Contains(t, args, "--json")
	require.Contains(t, script, "/results/shard-$JOB_COMPLETION_INDEX.json", "results are named by index")

	require.Len(t, c.VolumeMounts, 1)
	require.Equal(t, "/results", c.VolumeMounts[0].MountPath)
	require.Len(t, pod.Volumes, 1)
	require.Equal(t, c.VolumeMounts[0].Name, pod.Volumes[0].Name)
	require.Contains(t, claims, pod.Volumes[0].PVC.ClaimName, "the manifest makes the claim it mounts")
}

// The pod's script, run as it is for one index against a freshly built
// simrun (with a short seed range and a temporary results directory),
// leaves that shard's JSON under its index even though the scenario finds
// violations.
func TestPodScriptWritesItsShard(t *testing.T) {
	if testing.Short() {
		t.Skip("builds simrun")
	}
	job, _ := readManifest(t)
	script := job.Spec.Template.Spec.Containers[0].Args[0]
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "simrun"), "github.com/faultline-sim/faultline/cmd/simrun")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	results := t.TempDir()
	script = regexp.MustCompile(`--seeds \S+`).ReplaceAllString(script, "--seeds 1-60")
	script = strings.ReplaceAll(script, "/results/", results+"/")
	sh := exec.Command("/bin/sh", "-c", script)
	sh.Env = append(os.Environ(), "JOB_COMPLETION_INDEX=7", "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err = sh.CombinedOutput()
	require.NoError(t, err, string(out))

	data, err := os.ReadFile(filepath.Join(results, "shard-7.json"))
	require.NoError(t, err)
	var shard struct {
		Shard     string `json:"shard"`
		Runs      int    `json:"runs"`
		Violation int    `json:"violation"`
	}
	require.NoError(t, json.Unmarshal(data, &shard))
	require.Equal(t, "7/"+strconv.Itoa(job.Spec.Completions), shard.Shard)
	require.Equal(t, 3, shard.Runs) // seeds 8, 28, 48
	require.Positive(t, shard.Violation, "simrun exited 1 and the script still kept the shard")
}

// The Dockerfile is read, not built (there is no docker here): two
// stages, a static build of ./cmd/simrun with the go.mod's Go version, and
// a final image with the /bin/sh the Job's script needs.
func TestDockerfileBuildsAStaticSimrun(t *testing.T) {
	data, err := os.ReadFile("../Dockerfile")
	require.NoError(t, err)
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(string(data), "\\\n", " "), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	var froms []string
	for _, l := range lines {
		if strings.HasPrefix(l, "FROM ") {
			froms = append(froms, l)
		}
	}
	require.Len(t, froms, 2)

	mod, err := os.ReadFile("../go.mod")
	require.NoError(t, err)
	// The image golang:1.26 is the newest 1.26.x, which builds a module
	// that needs go 1.26 or 1.26.0.
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)(\.\d+)?$`).FindSubmatch(mod)
	require.NotNil(t, goVersion)
	require.Equal(t, "FROM golang:"+string(goVersion[1])+" AS build", froms[0], "the builder's Go is go.mod's")
	require.True(t, strings.HasPrefix(froms[1], "FROM busybox:"), "the final image has a shell: %s", froms[1])

	build := regexp.MustCompile(`^RUN CGO_ENABLED=0 .*go build .*-o (\S+) \./cmd/simrun$`)
	var built, copied, entry string
	for _, l := range lines {
		if m := build.FindStringSubmatch(l); m != nil {
			built = m[1]
		}
		if f := strings.Fields(l); len(f) == 4 && f[0] == "COPY" && f[1] == "--from=build" {
			require.Equal(t, built, f[2], "the final stage copies the binary the build stage made")
			copied = f[3]
		}
		if strings.HasPrefix(l, "ENTRYPOINT ") {
			var argv []string
			require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(l, "ENTRYPOINT ")), &argv))
			entry = argv[0]
		}
	}
	require.NotEmpty(t, built, "a static go build of ./cmd/simrun")
	require.Equal(t, copied, entry)
	require.Equal(t, "/usr/local/bin/simrun", copied, "on the PATH, as the Job's script calls it")
}
