//! Charts drawn on the server as SVG: no script, nothing fetched, readable by the page's own
//! stylesheet. Each chart sits next to a table of the same figures.

use std::fmt::Write;

use crate::cases::statistics::{Count, Series};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 30.0;
const TOP: f64 = 10.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The id of a chart's hatching: one per chart (from its title), so that several charts on a
/// page never share an id.
fn pattern_id(title: &str) -> String {
    // FNV-1a: short, stable, and enough to tell a page's few titles apart.
    let hash = title.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("few-{hash:08x}")
}

/// The hatching that marks a suppressed cell ("<5"): drawn at the height of 4, never lower.
fn defs(id: &str) -> String {
    format!(
        r#"<defs><pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" class="few-bg"/><line x1="0" y1="0" x2="0" y2="6" class="few-line" stroke-width="3"/></pattern></defs>"#
    )
}

fn cell_fill(count: Count, series: usize, id: &str) -> (String, String) {
    match count {
        Count::Few => (format!("url(#{id})"), String::new()),
        Count::Exact(_) => (String::new(), format!("s{}", series % 6)),
    }
}

/// One bar per month, the series stacked in it.
pub fn stacked_bars(title: &str, months: &[String], series: &[Series]) -> String {
    let totals: Vec<u64> = (0..months.len())
        .map(|m| series.iter().map(|s| s.counts[m].drawn()).sum())
        .collect();
    let top = totals.iter().copied().max().unwrap_or(0).max(5) as f64;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let slot = (WIDTH - LEFT) / months.len().max(1) as f64;
    let bar = (slot * 0.7).max(2.0);
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{t}"><title>{t}</title>{}"#,
        defs(&pattern_id(title)),
        t = escape(title)
    );
    // Axis and its scale.
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{LEFT}" y1="{y}" x2="{WIDTH}" y2="{y}"/><text class="tick" x="{x}" y="{ty}" text-anchor="end">{top}</text><text class="tick" x="{x}" y="{y}" text-anchor="end">0</text>"#,
        y = HEIGHT - BOTTOM,
        x = LEFT - 4.0,
        ty = TOP + 8.0,
    );
    for (m, month) in months.iter().enumerate() {
        let x = LEFT + slot * m as f64 + (slot - bar) / 2.0;
        let mut y = HEIGHT - BOTTOM;
        for (i, s) in series.iter().enumerate() {
            let count = s.counts[m];
            if count == Count::Exact(0) {
                continue;
            }
            let h = plot_h * count.drawn() as f64 / top;
            y -= h;
            let (fill, class) = cell_fill(count, i, &pattern_id(title));
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}"{}{}><title>{}, {}: {}</title></rect>"#,
                if fill.is_empty() {
                    String::new()
                } else {
                    format!(r#" fill="{fill}""#)
                },
                if class.is_empty() {
                    String::new()
                } else {
                    format!(r#" class="{class}""#)
                },
                escape(&s.label),
                escape(month),
                escape(&count.to_string())
            );
        }
        // Every other month's name when they are many.
        if months.len() <= 12 || m % 2 == 0 {
            let _ = write!(
                svg,
                r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x + bar / 2.0,
                HEIGHT - BOTTOM + 14.0,
                &month[2..]
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One horizontal bar per row.
pub fn bars(title: &str, rows: &[(String, Count)]) -> String {
    let top = rows
        .iter()
        .map(|(_, c)| c.drawn())
        .max()
        .unwrap_or(0)
        .max(5) as f64;
    let row_h = 24.0;
    let label_w = 160.0;
    let height = row_h * rows.len() as f64 + 8.0;
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{t}"><title>{t}</title>{}"#,
        defs(&pattern_id(title)),
        t = escape(title)
    );
    for (i, (label, count)) in rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let w = (WIDTH - label_w - 60.0) * count.drawn() as f64 / top;
        let (fill, class) = cell_fill(*count, 0, &pattern_id(title));
        let _ = write!(
            svg,
            r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{label_w}" y="{y:.1}" width="{w:.1}" height="{:.1}"{}{}/><text class="tick" x="{:.1}" y="{:.1}">{}</text>"#,
            label_w - 6.0,
            y + 15.0,
            escape(label),
            row_h - 6.0,
            if fill.is_empty() {
                String::new()
            } else {
                format!(r#" fill="{fill}""#)
            },
            if class.is_empty() {
                String::new()
            } else {
                format!(r#" class="{class}""#)
            },
            label_w + w + 6.0,
            y + 15.0,
            escape(&count.to_string())
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_mark_suppressed_cells() {
        let series = [Series {
            id: "hr".into(),
            label: "HR <&> \"conduct\"".into(),
            counts: vec![Count::Exact(7), Count::Few, Count::Exact(0)],
        }];
        let months: Vec<String> = ["2026-01", "2026-02", "2026-03"].map(String::from).to_vec();
        let svg = stacked_bars("Cases", &months, &series);
        assert!(svg.contains("HR &lt;&amp;&gt; &quot;conduct&quot;, 2026-01: 7"));
        assert!(
            svg.contains(&format!(r#"fill="url(#{})""#, pattern_id("Cases"))),
            "{svg}"
        );
        assert!(svg.contains("2026-02: &lt;5"));
        assert_eq!(svg.matches("<rect x=").count(), 2, "nothing drawn for 0");
        assert!(!svg.contains("<script"));
        let svg = bars("Outcomes", &[("Resolved".into(), Count::Few)]);
        assert!(svg.contains("&lt;5"));
        // Two charts on one page never share their hatching's id.
        assert_ne!(pattern_id("Cases"), pattern_id("Outcomes"));
    }
}
