package main

import (
	"fmt"
	"io"
	"time"
)

// Timings records how long each phase of a run took (printed with -timings, read by the
// scaffolder's benchmark for its split).
type Timings struct {
	last   time.Time
	phases []phase
}

type phase struct {
	name string
	d    time.Duration
}

// Mark closes the phase that started at the previous mark (or at process start) under name;
// an empty name only restarts the clock.
func (t *Timings) Mark(name string) {
	now := time.Now()
	if t.last.IsZero() {
		t.last = processStart
	}
	if name != "" {
		t.phases = append(t.phases, phase{name, now.Sub(t.last)})
	}
	t.last = now
}

func (t *Timings) Print(w io.Writer) {
	for _, p := range t.phases {
		fmt.Fprintf(w, "timing %s %.1f\n", p.name, float64(p.d.Microseconds())/1000)
	}
}

var processStart = time.Now()
