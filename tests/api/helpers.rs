//! Spawns the real `sealbox` binary on a random port with a fresh data directory, and talks to
//! it over HTTP like a browser or an API client would.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use reqwest::blocking::{Client, Response};
use serde_json::Value;

pub const PASSWORD: &str = "a quiet river at dawn";

pub struct TestApp {
    pub base: String,
    pub root: tempfile::TempDir,
    pub client: Client,
    child: Option<Child>,
    log: Arc<Mutex<String>>,
    /// An ext4 image the server's data directory is mounted from, in a mount namespace of its
    /// own (see [`spawn_app_on_disk`]).
    disk: Option<PathBuf>,
}

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sealbox"));
    for (key, _) in std::env::vars() {
        if key.starts_with("SEALBOX_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// A port nothing listens on (yet).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A unique marker to look for in files and logs.
pub fn canary(label: &str) -> String {
    format!("CANARY-{label}-{}", sealbox::crypto::random::id())
}

pub fn spawn_app() -> TestApp {
    spawn_app_with("")
}

/// Starts a server whose `sealbox.toml` holds `config`, plus a recovery recipient (whose
/// identity is thrown away) unless `config` names one, so it can take cases before any
/// officer exists.
pub fn spawn_app_with(config: &str) -> TestApp {
    spawn_bare_app(&with_recovery(config))
}

/// `config`, with a recovery recipient (whose identity is thrown away) unless it names one.
fn with_recovery(config: &str) -> String {
    if config.contains("recovery_recipient") {
        return config.to_owned();
    }
    let recovery = sealbox::crypto::KeyPair::generate().public;
    format!("recovery_recipient = \"{recovery}\"\n{config}")
}

/// Starts a server whose `sealbox.toml` holds exactly `config`.
pub fn spawn_bare_app(config: &str) -> TestApp {
    let mut app = unstarted_app(config);
    app.start();
    app
}

/// A server not started yet, whose `sealbox.toml` holds exactly `config`: its data directory
/// does not exist until it starts (or a test restores one there).
pub fn unstarted_app(config: &str) -> TestApp {
    let root = tempfile::tempdir().expect("temp dir");
    std::fs::write(root.path().join("sealbox.toml"), config).unwrap();
    TestApp {
        base: String::new(),
        root,
        client: client(),
        child: None,
        log: Arc::new(Mutex::new(String::new())),
        disk: None,
    }
}

/// Starts a server (with `config` and a recovery recipient) whose data directory is a fresh ext4
/// file system of `mib` MiB, loop-mounted in a private mount namespace that lives exactly as long
/// as the server: the test can fill it or turn it read-only under the running server, and
/// nothing is left mounted afterwards. Reach its files through [`TestApp::inside`].
///
/// Loop devices need root. Without it the test is skipped, except under `CI=true`, where it
/// fails: CI must run it.
pub fn spawn_app_on_disk(config: &str, mib: u32) -> Option<TestApp> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        assert!(
            std::env::var_os("CI").is_none(),
            "this test needs root to loop-mount a file system"
        );
        eprintln!("skipped: this test needs root to loop-mount a file system");
        return None;
    }
    let mut app = unstarted_app(&with_recovery(config));
    let image = app.root.path().join("disk.img");
    std::fs::File::create(&image)
        .unwrap()
        .set_len(u64::from(mib) << 20)
        .unwrap();
    let made = Command::new("mkfs.ext4")
        .args(["-q", "-F", "-m", "0"])
        .arg(&image)
        .status()
        .expect("mkfs.ext4 (Debian package e2fsprogs)");
    assert!(made.success());
    std::fs::create_dir(app.data_dir()).unwrap();
    app.disk = Some(image);
    app.start();
    Some(app)
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

impl TestApp {
    pub fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    fn command(&self) -> Command {
        let mut cmd = bin();
        cmd.current_dir(self.root.path())
            .arg("--config")
            .arg(self.root.path().join("sealbox.toml"))
            .arg("--data-dir")
            .arg(self.data_dir());
        cmd
    }

    /// The command that runs `sealbox serve`: inside its own mount namespace, over the disk
    /// image, when there is one.
    fn serve_command(&self) -> Command {
        let mut serve = self.command();
        serve.args(["serve", "--listen", "127.0.0.1:0"]);
        let Some(image) = &self.disk else {
            return serve;
        };
        let mut cmd = Command::new("unshare");
        cmd.args(["--mount", "--propagation", "private", "sh", "-c"])
            .arg(r#"mount -o loop "$0" "$1" && shift && exec "$@""#)
            .arg(image)
            .arg(self.data_dir())
            .arg(serve.get_program())
            .args(serve.get_args())
            .current_dir(self.root.path());
        for (key, value) in serve.get_envs() {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        cmd
    }

    /// `path` (absolute) as the running server sees it: inside its mount namespace.
    pub fn inside(&self, path: &Path) -> PathBuf {
        Path::new(&format!("/proc/{}/root", self.pid())).join(path.strip_prefix("/").unwrap())
    }

    /// Makes the server's file system read-only under it, as the kernel does after an I/O error
    /// (ext4's `abort`): open files fail from now on.
    pub fn abort_disk(&self) {
        let status = Command::new("nsenter")
            .arg(format!("--target={}", self.pid()))
            .args(["--mount", "mount", "-o", "remount,abort"])
            .arg(self.data_dir())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// (Re)starts the server on a new random port, over the same data directory.
    pub fn start(&mut self) {
        let mut child = self
            .serve_command()
            .env("SEALBOX_LOG", "debug,actix_server=info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sealbox");
        let (tx, rx) = mpsc::channel();
        for stream in [
            Box::new(child.stderr.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stdout.take().unwrap()),
        ] {
            let log = self.log.clone();
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let Some(at) = line.find("listening on ") {
                        let url = line[at + 13..].split_whitespace().next().unwrap_or("");
                        let _ = tx.send(url.to_owned());
                    }
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("server did not start:\n{}", self.logs()));
        self.base = url;
        self.child = Some(child);
    }

    /// Kills the server at once (SIGKILL): no shutdown, no flush.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub fn logs(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Runs `sealbox officer add` against this data directory; returns the officer's id.
    pub fn add_officer(&self, email: &str, name: &str, extra: &[&str]) -> String {
        let out = self.cli_with_stdin(
            &[
                &[
                    "officer",
                    "add",
                    "--email",
                    email,
                    "--name",
                    name,
                    "--password-stdin",
                ],
                extra,
            ]
            .concat(),
            &format!("{PASSWORD}\n"),
        );
        assert!(
            out.status.success(),
            "officer add failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        text.split("(id ")
            .nth(1)
            .unwrap()
            .trim_end()
            .trim_end_matches(')')
            .to_owned()
    }

    pub fn cli_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).json(body).send().unwrap()
    }

    pub fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().unwrap()
    }

    pub fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(self.url(path)).form(form).send().unwrap()
    }

    /// Submits a case through the API; returns the claim code.
    pub fn submit(&self, body: Value) -> String {
        let res = self.post_json("/api/v1/cases", &body);
        assert_eq!(res.status(), 201, "{}", res.text().unwrap_or_default());
        res.json::<Value>().unwrap()["claim_code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn followup_api(&self, code: &str) -> Response {
        self.client
            .get(self.url("/api/v1/followup"))
            .bearer_auth(code)
            .send()
            .unwrap()
    }

    /// A read-only connection to the server's database.
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(
            self.data_dir().join("sealbox.sqlite"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap()
    }

    pub fn case_count(&self) -> i64 {
        self.db()
            .query_row("SELECT COUNT(*) FROM cases", [], |r| r.get(0))
            .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Every file below `dir`, with its bytes.
pub fn files_below(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

/// Asserts `needle` occurs in no file below `dir` (as bytes, case-sensitive).
pub fn assert_nowhere_in(dir: &Path, needle: &str) {
    assert_nowhere_in_but(dir, needle, None);
}

/// Like [`assert_nowhere_in`], but files below `allowed` may hold it.
pub fn assert_nowhere_in_but(dir: &Path, needle: &str, allowed: Option<&Path>) {
    let files: Vec<_> = files_below(dir)
        .into_iter()
        .filter(|(path, _)| allowed.is_none_or(|a| !path.starts_with(a)))
        .collect();
    assert!(!files.is_empty(), "no files in {}", dir.display());
    for (path, bytes) in files {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle:?} found in {}",
            path.display()
        );
    }
}

/// The text between `start` and the next `end` in `html`.
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not in page:\n{html}"))
        + start.len();
    let len = html[from..].find(end).unwrap();
    &html[from..from + len]
}

/// The claim code shown on a receipt page.
pub fn claim_code_in(html: &str) -> String {
    let shown = between(html, "<p class=\"claim-code\"", "</code>");
    shown.rsplit("<code>").next().unwrap_or_default().to_owned()
}

pub fn csrf_in(html: &str) -> String {
    between(html, "name=\"csrf\" value=\"", "\"").to_owned()
}

pub fn report(what: &str) -> Value {
    serde_json::json!({ "channel": "report", "fields": { "what": what } })
}

/// Signs an officer in through the API; returns the bearer token.
pub fn officer_token(app: &TestApp, email: &str) -> String {
    let res = app.post_json(
        "/api/v1/officer/login",
        &serde_json::json!({ "email": email, "password": PASSWORD }),
    );
    assert_eq!(res.status(), 200, "{}", res.text().unwrap_or_default());
    res.json::<Value>().unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A browser signed in as an officer through the sign-in page.
pub fn officer_browser(app: &TestApp, email: &str) -> Client {
    let browser = client();
    let res = browser
        .post(app.url("/officer/login"))
        .form(&[("email", email), ("password", PASSWORD), ("totp", "")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().unwrap_or_default());
    browser
}

/// A browser signed in to a case's follow-up page with its claim code.
pub fn followup_browser(app: &TestApp, code: &str) -> Client {
    let browser = client();
    let res = browser
        .post(app.url("/followup"))
        .form(&[("code", code)])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().unwrap_or_default());
    browser
}

/// An officer API request with a bearer token.
pub fn officer_api(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Response {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().unwrap()
}

/// A case as the officer API opens it (200, or the test fails).
pub fn officer_case(app: &TestApp, token: &str, id: &str) -> Value {
    let res = officer_api(
        app,
        token,
        reqwest::Method::GET,
        &format!("/api/v1/officer/cases/{id}"),
        None,
    );
    assert_eq!(res.status(), 200);
    res.json().unwrap()
}

/// The cases an officer holds, as their inbox on the officer API lists them (every page):
/// `(id, number)`.
pub fn held_cases(app: &TestApp, token: &str) -> Vec<(String, i64)> {
    let mut cases = Vec::new();
    let mut path = "/api/v1/officer/cases".to_owned();
    loop {
        let res = officer_api(app, token, reqwest::Method::GET, &path, None);
        assert_eq!(res.status(), 200, "{}", res.text().unwrap_or_default());
        let page: Value = res.json().unwrap();
        for case in page["cases"].as_array().unwrap() {
            cases.push((
                case["id"].as_str().unwrap().to_owned(),
                case["number"].as_i64().unwrap(),
            ));
        }
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/officer/cases?next={next}"),
            None => return cases,
        }
    }
}

/// The one case the officer holds: `(id, number)`.
pub fn only_case(app: &TestApp, token: &str) -> (String, i64) {
    let mut cases = held_cases(app, token);
    assert_eq!(cases.len(), 1, "not exactly one case held: {cases:?}");
    cases.remove(0)
}

/// The id of the one case the officer holds.
pub fn only_case_id(app: &TestApp, token: &str) -> String {
    only_case(app, token).0
}

/// The number of the case a claim code opens, from its follow-up view.
pub fn case_number_of(app: &TestApp, code: &str) -> i64 {
    let res = app.followup_api(code);
    assert_eq!(res.status(), 200, "{}", res.text().unwrap_or_default());
    res.json::<Value>().unwrap()["number"].as_i64().unwrap()
}

/// The id of the case a claim code opens, found by its number among the cases the officer
/// holds.
pub fn case_id_of(app: &TestApp, token: &str, code: &str) -> String {
    let number = case_number_of(app, code);
    held_cases(app, token)
        .into_iter()
        .find(|(_, n)| *n == number)
        .unwrap_or_else(|| panic!("case #{number} is not among the officer's cases"))
        .0
}

/// An officer's line in `sealbox officer list`: id, email, name, admin, state, channels,
/// custodian.
pub fn officer_listed(app: &TestApp, email: &str) -> String {
    let out = app.cli_with_stdin(&["officer", "list"], "");
    assert!(
        out.status.success(),
        "officer list failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .find(|line| line.split_whitespace().nth(1) == Some(email))
        .unwrap_or_else(|| panic!("{email} is not in the officer list:\n{text}"))
        .to_owned()
}

/// An officer's id, as `sealbox officer list` shows it.
pub fn officer_id_of(app: &TestApp, email: &str) -> String {
    let line = officer_listed(app, email);
    line.split_whitespace().next().unwrap().to_owned()
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A complaint channel whose cases must be acknowledged at once: overdue within a second.
pub const URGENT_CHANNEL: &str = r#"[[channels]]
id = "urgent"
kind = "complaint"
title = "Urgent"
acknowledge_days = 0
[[channels.fields]]
id = "what"
label = "What?"
type = "text"
required = true
"#;

/// Runs the reference `age` tool in `dir`; fails the test if it fails.
pub fn age(args: &[&str], dir: &Path) -> Vec<u8> {
    let out = Command::new("age")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the reference `age` tool must be installed (scripts/test installs it)");
    assert!(
        out.status.success(),
        "age {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A fresh identity file `name` in `dir` from `age-keygen`; returns its public key.
pub fn age_keygen(dir: &Path, name: &str) -> String {
    let out = Command::new("age-keygen")
        .args(["-o", name])
        .current_dir(dir)
        .output()
        .expect("age-keygen");
    assert!(out.status.success());
    std::fs::read_to_string(dir.join(name))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_owned()
}

/// HTML-escaped text back to what it says (the escapes askama writes).
pub fn unescape(text: &str) -> String {
    text.replace("&#10;", "\n")
        .replace("&#13;", "\r")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// What a browser would send for the form whose `action` is given, without pressing a
/// button: its inputs (ticked boxes only), textareas and the selected options of selects.
pub fn form_pairs(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form for {action}"));
    let form = &html[start..];
    let form = &form[..form.find("</form>").unwrap()];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let at = tag.find(&key)? + key.len();
        Some(unescape(&tag[at..at + tag[at..].find('"')?]))
    };
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..end];
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_default();
            if let Some(name) = attr(tag, "name") {
                let ticked =
                    !matches!(kind.as_str(), "checkbox" | "radio") || tag.contains(" checked");
                if ticked
                    && !matches!(kind.as_str(), "file" | "submit")
                    && !tag.contains(" disabled")
                {
                    out.push((name, attr(tag, "value").unwrap_or_default()));
                }
            }
        } else if tag.starts_with("<textarea") {
            let name = attr(tag, "name").unwrap();
            let body = &rest[end + 1..];
            out.push((name, unescape(&body[..body.find("</textarea>").unwrap()])));
        } else if tag.starts_with("<select") {
            let name = attr(tag, "name").unwrap();
            let body = &rest[end + 1..];
            let body = &body[..body.find("</select>").unwrap()];
            let chosen = body
                .split("<option")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .or_else(|| body.split("<option").nth(1))
                .and_then(|o| attr(&format!(" {o}"), "value"))
                .unwrap_or_default();
            out.push((name, chosen));
        }
        rest = &rest[end..];
    }
    out
}

/// Sets (or adds) a form value.
pub fn set_pair(pairs: &mut Vec<(String, String)>, name: &str, value: &str) {
    pairs.retain(|(k, _)| k != name);
    pairs.push((name.to_owned(), value.to_owned()));
}
