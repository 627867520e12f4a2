package reports

import (
	"bytes"
	"fmt"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Charts are drawn in Go with gonum/plot as SVG and embedded in the page,
// so a report is one file that works offline. A value without samples is
// never drawn as a zero bar: its place is marked "—".

// series is one bar per category; Has[i] false means no samples.
type series struct {
	Name   string
	Values []float64
	Has    []bool
}

// chartW and chartH size every chart (points; the page scales them).
const chartW, chartH = 6.4 * vg.Inch, 2.6 * vg.Inch

// barSVG draws grouped bars: a group per category, a bar per series.
func barSVG(title, ylabel string, cats []string, ss []series) (string, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Y.Min = 0
	n := len(ss)
	width := vg.Points(float64(min(40, 300/max(1, n*len(cats)))))
	var missing plotter.XYLabels
	ymax := 0.0
	for _, s := range ss {
		for i, v := range s.Values {
			if s.Has[i] {
				ymax = max(ymax, v)
			}
		}
	}
	for k, s := range ss {
		vals := make(plotter.Values, len(cats))
		for i := range cats {
			if s.Has[i] {
				vals[i] = s.Values[i]
			}
		}
		b, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return "", fmt.Errorf("chart %q: %w", title, err)
		}
		b.LineStyle.Width = 0
		b.Color = plotutil.Color(k)
		b.Offset = vg.Length(float64(k)-float64(n-1)/2) * width
		p.Add(b)
		if n > 1 {
			p.Legend.Add(s.Name, b)
		}
	}
	// A category where some series has no samples says so in words at
	// its foot, instead of a zero bar.
	for i := range cats {
		var none []string
		for _, s := range ss {
			if !s.Has[i] {
				none = append(none, s.Name)
			}
		}
		if len(none) > 0 {
			text := NoSamples + " no samples"
			if n > 1 {
				text = NoSamples + " " + strings.Join(none, ", ")
			}
			missing.XYs = append(missing.XYs, plotter.XY{X: float64(i), Y: max(ymax, 1) * 0.03})
			missing.Labels = append(missing.Labels, text)
		}
	}
	if len(missing.XYs) > 0 {
		l, err := plotter.NewLabels(missing)
		if err != nil {
			return "", fmt.Errorf("chart %q: %w", title, err)
		}
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign = -0.5
			l.TextStyle[i].Rotation = 1.5708 // upright, so it fits its group
		}
		p.Add(l)
	}
	// Headroom above the highest bar for the legend.
	p.Y.Max = max(ymax, 1) * 1.35
	p.Legend.Top = true
	p.NominalX(cats...)
	return svgOf(p, title)
}

// line is one curve of a line chart.
type line struct {
	Name   string
	Points plotter.XYs
}

func linesSVG(title, xlabel, ylabel string, ls []line) (string, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Legend.Top = true
	p.Legend.Left = true
	var args []any
	for _, l := range ls {
		if len(l.Points) == 0 {
			continue
		}
		args = append(args, l.Name, l.Points)
	}
	if len(args) == 0 {
		return "", nil
	}
	if err := plotutil.AddLinePoints(p, args...); err != nil {
		return "", fmt.Errorf("chart %q: %w", title, err)
	}
	return svgOf(p, title)
}

func svgOf(p *plot.Plot, title string) (string, error) {
	wt, err := p.WriterTo(chartW, chartH, "svg")
	if err != nil {
		return "", fmt.Errorf("chart %q: %w", title, err)
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return "", fmt.Errorf("chart %q: %w", title, err)
	}
	s := b.String()
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:] // inline: no XML prolog
	}
	return s, nil
}
