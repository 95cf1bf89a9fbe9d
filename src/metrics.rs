//! Counters for Prometheus (`metrics_listen`, off by default): how many, never which. No label
//! holds a case number, an address, a code or a time; a label value is a channel id, a route
//! pattern, a method, a status or a lane. Any layer may count here, like it reads the clock.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{LazyLock, Mutex};

/// Every metric sealbox exports: (name, type, help). A name not listed here is not counted,
/// so a typo cannot invent a series.
const METRICS: &[(&str, &str, &str)] = &[
    (
        "sealbox_cases_received_total",
        "counter",
        "Cases taken in, by channel, since the process started.",
    ),
    (
        "sealbox_http_requests_total",
        "counter",
        "Requests answered, by route pattern, method and status.",
    ),
    (
        "sealbox_kdf_jobs_total",
        "counter",
        "Argon2id derivations run, by lane (intake, sign-in).",
    ),
    (
        "sealbox_kdf_wait_seconds_total",
        "counter",
        "Seconds argon2id jobs waited for a worker, summed, by lane.",
    ),
    (
        "sealbox_kdf_refused_total",
        "counter",
        "Argon2id jobs answered busy (queue full or waited too long), by lane.",
    ),
    (
        "sealbox_kdf_queue_length",
        "gauge",
        "Argon2id jobs waiting for a worker now, by lane.",
    ),
    (
        "sealbox_mail_outbox_size",
        "gauge",
        "Mails waiting in the outbox now.",
    ),
    ("sealbox_mail_sent_total", "counter", "Mails a server took."),
    (
        "sealbox_mail_failures_total",
        "counter",
        "Attempts to send a mail that failed (it stays queued, or is dropped for good).",
    ),
];

type Labels = Vec<(&'static str, String)>;

/// Values by metric name, then by label set.
static VALUES: LazyLock<Mutex<BTreeMap<&'static str, BTreeMap<Labels, f64>>>> =
    LazyLock::new(Mutex::default);

fn known(name: &str) -> bool {
    METRICS.iter().any(|(n, _, _)| *n == name)
}

/// Adds `by` to a counter.
pub fn add(name: &'static str, labels: &[(&'static str, &str)], by: f64) {
    update(name, labels, |value| *value += by);
}

/// Adds one to a counter.
pub fn count(name: &'static str, labels: &[(&'static str, &str)]) {
    add(name, labels, 1.0);
}

/// Sets a gauge.
pub fn set(name: &'static str, labels: &[(&'static str, &str)], value: f64) {
    update(name, labels, |v| *v = value);
}

/// Changes one series of a listed metric (an unknown name changes nothing).
fn update(name: &'static str, labels: &[(&'static str, &str)], change: impl FnOnce(&mut f64)) {
    if !known(name) {
        debug_assert!(false, "unknown metric {name}");
        return;
    }
    let labels: Labels = labels.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    let mut values = VALUES.lock().unwrap_or_else(|p| p.into_inner());
    change(values.entry(name).or_default().entry(labels).or_default());
}

/// Everything, in the Prometheus text format (version 0.0.4).
pub fn render() -> String {
    let values = VALUES.lock().unwrap_or_else(|p| p.into_inner());
    let mut out = String::new();
    for (name, kind, help) in METRICS {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for (labels, value) in values.get(name).into_iter().flatten() {
            out.push_str(name);
            if !labels.is_empty() {
                out.push('{');
                for (i, (key, value)) in labels.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{key}=\"{}\"", escape(value));
                }
                out.push('}');
            }
            let _ = writeln!(out, " {value}");
        }
    }
    out
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn counters_render_with_their_help_and_escaped_labels() {
        super::count("sealbox_mail_sent_total", &[]);
        super::count("sealbox_mail_sent_total", &[]);
        super::count("sealbox_cases_received_total", &[("channel", "a\"b")]);
        super::set("sealbox_kdf_queue_length", &[("lane", "intake")], 3.0);
        let text = super::render();
        assert!(
            text.contains("# TYPE sealbox_mail_sent_total counter\n"),
            "{text}"
        );
        assert!(text.contains("\nsealbox_mail_sent_total 2\n"), "{text}");
        assert!(
            text.contains("sealbox_cases_received_total{channel=\"a\\\"b\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("sealbox_kdf_queue_length{lane=\"intake\"} 3\n"),
            "{text}"
        );
    }
}
