package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Serve mode (`-serve`): a long-lived validator for the scaffolder's cloudlab:gitops:validate.
// Loading the Kubernetes OpenAPI documents and the CRDs is most of a one-shot run's time, so
// the process loads them once and keeps the compiled schemas; every request renders and checks
// its tree from scratch (registry, rules, policies), exactly as a one-shot run, reusing only the
// kustomize builds whose inputs are unchanged (buildcache.go).
// Protocol: one JSON request per line on stdin, one JSON response per line on stdout; the
// process exits when stdin closes. The schemas are reloaded when the CRD cache changes.

type serveRequest struct {
	Repo string `json:"repo"`
	Fix  bool   `json:"fix"`
}

type serveResponse struct {
	// Output is what a one-shot run prints on stdout (ERROR lines, then the summary).
	Output   string             `json:"output"`
	Findings int                `json:"findings"`
	Error    string             `json:"error,omitempty"`
	Timings  map[string]float64 `json:"timings"`
}

// crdStamp changes whenever a file of the CRD cache is added, removed or rewritten.
func crdStamp(crdDir string) string {
	var b strings.Builder
	_ = filepath.WalkDir(crdDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if st, err := d.Info(); err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", p, st.Size(), st.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}

func serve(crdDir string, in io.Reader, out io.Writer) error {
	var sch *Schemas
	stamp := ""
	builds := newBuildCache()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	enc := json.NewEncoder(out)
	for sc.Scan() {
		resp := serveResponse{Timings: map[string]float64{}}
		start := time.Now()
		var req serveRequest
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil || req.Repo == "" {
			resp.Error = fmt.Sprintf("bad request: want {\"repo\": <path>, \"fix\": <bool>} (%v)", err)
			if err := enc.Encode(resp); err != nil {
				return err
			}
			continue
		}
		if s := crdStamp(crdDir); sch == nil || s != stamp {
			loaded, err := loadSchemas(crdDir)
			if err != nil {
				resp.Error = err.Error()
				if err := enc.Encode(resp); err != nil {
					return err
				}
				continue
			}
			sch, stamp = loaded, s
			resp.Timings["schemas-load"] = ms(time.Since(start))
		}
		hits, misses := builds.Hits, builds.Misses
		resp.Output, resp.Findings, resp.Error = validateOnce(req, sch, builds, resp.Timings)
		resp.Timings["builds-reused"] = float64(builds.Hits - hits)
		resp.Timings["builds-run"] = float64(builds.Misses - misses)
		resp.Timings["total"] = ms(time.Since(start))
		if err := enc.Encode(resp); err != nil {
			return err
		}
	}
	return sc.Err()
}

func validateOnce(req serveRequest, sch *Schemas, builds *BuildCache, timings map[string]float64) (string, int, string) {
	v, err := newValidatorWithSchemas(req.Repo, sch, builds)
	if err != nil {
		return "", 0, err.Error()
	}
	if req.Fix {
		if err := v.WriteGenerated(); err != nil {
			return "", 0, err.Error()
		}
	}
	rep := v.Run()
	for _, p := range v.Timings.phases {
		timings[p.name] = ms(p.d)
	}
	var buf bytes.Buffer
	rep.Print(&buf)
	fmt.Fprintln(&buf, v.Summary(rep))
	return buf.String(), len(rep.Findings), ""
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
