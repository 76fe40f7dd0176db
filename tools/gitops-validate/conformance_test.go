package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// The rules shared with the TypeScript packages run the vectors in conformance/ (the jest
// suites in plugins/multi-provider-common run the same files).
const conformanceDir = "../../conformance"

func loadVectors(t *testing.T, rel string, into any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(conformanceDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

func TestConformanceQuantity(t *testing.T) {
	var v struct {
		Cases []struct {
			Name       string
			Input      string
			Value      string
			MilliValue string
			Error      bool
		}
	}
	loadVectors(t, "quantity/cases.json", &v)
	for _, c := range v.Cases {
		q, err := parseQuantity(c.Input)
		switch {
		case c.Error && err == nil:
			t.Errorf("%s: %q parsed as %s, want an error", c.Name, c.Input, q.String())
		case !c.Error && err != nil:
			t.Errorf("%s: %q: %v", c.Name, c.Input, err)
		case !c.Error:
			if got := strconv.FormatInt(q.Value(), 10); got != c.Value {
				t.Errorf("%s: %q value %s, want %s", c.Name, c.Input, got, c.Value)
			}
			if c.MilliValue != "" {
				if got := strconv.FormatInt(q.MilliValue(), 10); got != c.MilliValue {
					t.Errorf("%s: %q milliValue %s, want %s", c.Name, c.Input, got, c.MilliValue)
				}
			}
		}
	}
}

func TestConformanceProviderMinimumSize(t *testing.T) {
	var v struct {
		Cases []struct {
			Name    string
			Storage struct {
				MinVolumeSize string
				WholeGiB      bool
			}
			Requested string
			Verdict   string
		}
	}
	loadVectors(t, "provider-minimum-size/cases.json", &v)
	for _, c := range v.Cases {
		if got := checkVolumeSize(c.Requested, c.Storage.MinVolumeSize, c.Storage.WholeGiB); got != c.Verdict {
			t.Errorf("%s: %q against %+v: %s, want %s", c.Name, c.Requested, c.Storage, got, c.Verdict)
		}
	}
}

func TestConformancePinnedProvider(t *testing.T) {
	var reg struct{ Providers []*Provider }
	loadVectors(t, "pinned-provider/providers.json", &reg)
	var v struct {
		Cases []struct {
			Name    string
			PodSpec map[string]any
			Pinned  *string
		}
	}
	loadVectors(t, "pinned-provider/cases.json", &v)
	for _, c := range v.Cases {
		want := ""
		if c.Pinned != nil {
			want = *c.Pinned
		}
		if got := pinnedProvider(c.PodSpec, reg.Providers); got != want {
			t.Errorf("%s: pinned to %q, want %q", c.Name, got, want)
		}
	}
}

func TestConformanceLabelSelector(t *testing.T) {
	var v struct {
		Cases []struct {
			Name     string
			Selector *metav1.LabelSelector
			Labels   map[string]string
			Matches  bool
		}
	}
	loadVectors(t, "label-selector/cases.json", &v)
	for _, c := range v.Cases {
		if got := labelSelectorMatches(c.Selector, c.Labels); got != c.Matches {
			t.Errorf("%s: matches %v, want %v", c.Name, got, c.Matches)
		}
	}
}

func TestConformanceLabelSelectorStrings(t *testing.T) {
	var v struct {
		Cases []struct {
			Name     string
			Selector string
			Labels   map[string]string
			Matches  bool
			Error    bool
		}
	}
	loadVectors(t, "label-selector/strings.json", &v)
	for _, c := range v.Cases {
		s, err := labels.Parse(c.Selector)
		switch {
		case c.Error && err == nil:
			t.Errorf("%s: %q parsed, want an error", c.Name, c.Selector)
		case !c.Error && err != nil:
			t.Errorf("%s: %q: %v", c.Name, c.Selector, err)
		case !c.Error && s.Matches(labels.Set(c.Labels)) != c.Matches:
			t.Errorf("%s: %q matches %v, want %v", c.Name, c.Selector, !c.Matches, c.Matches)
		}
	}
}

func TestConformanceSecretContract(t *testing.T) {
	var v struct {
		Cases []struct {
			Name        string
			Destination map[string]any
			Keys        []string
			Error       string
		}
	}
	loadVectors(t, "secret-contract/cases.json", &v)
	for _, c := range v.Cases {
		keys, err := declaredSecretKeys(c.Destination)
		switch {
		case c.Error != "" && err == nil:
			t.Errorf("%s: declared %v, want an error naming %s", c.Name, keys, c.Error)
		case c.Error != "" && !strings.Contains(err.Error(), c.Error):
			t.Errorf("%s: error %q does not name %s", c.Name, err, c.Error)
		case c.Error == "" && err != nil:
			t.Errorf("%s: %v", c.Name, err)
		case c.Error == "" && !slices.Equal(keys, c.Keys):
			t.Errorf("%s: keys %v, want %v", c.Name, keys, c.Keys)
		}
	}
}
