//! A small WebDriver client for the browser tests: Debian's chromium driven by
//! chromedriver over the W3C WebDriver protocol, with blocking HTTP (ureq).
//!
//! Every wait polls for up to [`WAIT`]; every failure prints the current URL,
//! the visible text and an excerpt of the page source, saves a screenshot
//! named `FAILED-<journey>.png`, and panics.
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use xianfeng_store::testkit::{self, TempDirGuard};

/// How long an explicit wait polls before it fails.
pub const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Where the screenshots go: `target/browser-screenshots` of the workspace.
pub fn screenshot_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/browser-screenshots"))
}

/// axe-core's source: `AXE_CORE_JS`, or where .ci/install-axe.sh puts it.
/// Missing, it fails the test that wanted it: an accessibility check that is
/// skipped must not pass.
fn axe_source() -> String {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/axe-core/axe.min.js")));
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("axe-core not found at {} ({e}): run `sh .ci/install-axe.sh` (CI does)", path.display())
    })
}

fn ci() -> bool {
    std::env::var("CI").map(|v| !v.is_empty() && v != "0" && v != "false").unwrap_or(false)
}

/// The browser and driver binaries.
#[derive(Clone, Debug)]
pub struct Install {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl Install {
    /// Debian's chromium and chromedriver (`CHROMIUM` and `CHROMEDRIVER` override
    /// the paths). None, after a note on stderr, when they are missing; under CI
    /// their absence fails the test instead (see `.ci/install-browser.sh`).
    pub fn find() -> Option<Install> {
        let path = |var: &str, default: &str| {
            std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default))
        };
        let install = Install {
            chromium: path("CHROMIUM", "/usr/bin/chromium"),
            chromedriver: path("CHROMEDRIVER", "/usr/bin/chromedriver"),
        };
        if install.chromium.is_file() && install.chromedriver.is_file() {
            return Some(install);
        }
        if ci() {
            panic!(
                "Chromium not found ({} and {}): under CI the browser tests must run; install them with .ci/install-browser.sh",
                install.chromium.display(),
                install.chromedriver.display()
            );
        }
        // Straight to stderr: the test harness would swallow an eprintln! of a passing test.
        let _ = writeln!(std::io::stderr(), "Chromium not found: skipping browser tests");
        None
    }
}

/// The size of the browser's viewport.
#[derive(Clone, Copy, Debug)]
pub enum Viewport {
    /// A desktop window of this size.
    Desktop(u32, u32),
    /// A phone: Chrome's mobile emulation at this CSS size (touch, pixel ratio 2).
    Phone(u32, u32),
}

/// A WebDriver error: the `error` code and its message.
#[derive(Debug)]
pub struct WdError(pub String);

impl std::fmt::Display for WdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One browser session on its own chromedriver. Dropping it ends the session
/// and stops the driver.
pub struct Browser {
    agent: ureq::Agent,
    driver_url: String,
    session: String,
    /// The application's origin, e.g. `http://127.0.0.1:40123`.
    pub origin: String,
    /// Screenshot names start with this (the journey's name in failure shots).
    journey: String,
    shots: PathBuf,
    driver: Child,
    driver_log: PathBuf,
    _scratch: TempDirGuard,
    started: Instant,
    /// What the person did so far, and the document last seen (its time origin).
    effort: std::cell::Cell<Effort>,
    document: std::cell::RefCell<String>,
}

/// What a person did in the browser: pages loaded (documents, a redirect
/// after a form counts once), clicks on links and buttons (and answering a
/// confirmation), and form fields touched (typed into, set, ticked or chosen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Effort {
    pub loads: u32,
    pub clicks: u32,
    pub fields: u32,
}

/// A reference to an element of the current page.
#[derive(Clone, Debug)]
pub struct El(String);

impl Browser {
    /// Starts chromedriver on a free port and opens a session on a fresh profile.
    pub fn launch(install: &Install, origin: &str, journey: &str, viewport: Viewport) -> Browser {
        let started = Instant::now();
        let scratch = testkit::temp_dir("chromium");
        let profile = scratch.path().join("profile");
        std::fs::create_dir_all(&profile).expect("create the Chromium profile directory");
        let driver_log = scratch.path().join("chromedriver.log");
        let port = free_port();
        let log = std::fs::File::create(&driver_log).expect("create the chromedriver log");
        let mut cmd = Command::new(&install.chromedriver);
        cmd.arg(format!("--port={port}"))
            .arg(format!("--log-path={}", driver_log.display()))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log);
        // Its own process group, so the watchdog can stop the driver and every
        // browser process it started in one go.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let driver = cmd.spawn().unwrap_or_else(|e| panic!("start {}: {e}", install.chromedriver.display()));
        watchdog(driver.id());

        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .proxy(None)
            .build()
            .into();
        let driver_url = format!("http://127.0.0.1:{port}");
        let mut b = Browser {
            agent,
            driver_url,
            session: String::new(),
            origin: origin.trim_end_matches('/').to_string(),
            journey: journey.to_string(),
            shots: screenshot_dir(),
            driver,
            driver_log,
            _scratch: scratch,
            started,
            effort: std::cell::Cell::new(Effort::default()),
            document: std::cell::RefCell::new(String::new()),
        };
        b.wait_for_driver();

        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-breakpad",
            "--disable-crash-reporter",
            "--disable-extensions",
            "--disable-dev-shm-usage",
            "--no-proxy-server",
            "--lang=zh-CN",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut options = json!({ "binary": install.chromium.display().to_string() });
        match viewport {
            Viewport::Desktop(w, h) => args.push(format!("--window-size={w},{h}")),
            Viewport::Phone(w, h) => {
                args.push(format!("--window-size={w},{h}"));
                options["mobileEmulation"] = json!({ "deviceMetrics": { "width": w, "height": h, "pixelRatio": 2.0, "touch": true, "mobile": true } });
            }
        }
        options["args"] = json!(args);
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": { "implicit": 0, "pageLoad": 20000, "script": 10000 },
            "goog:chromeOptions": options,
        } } });
        let value = match b.raw("POST", "/session", Some(caps)) {
            Ok(v) => v,
            Err(e) => panic!("create a WebDriver session: {e}\nchromedriver log:\n{}", b.driver_log_tail()),
        };
        b.session = value["sessionId"].as_str().expect("a session id").to_string();
        std::fs::create_dir_all(&b.shots).expect("create target/browser-screenshots");
        b
    }

    fn wait_for_driver(&mut self) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(v) = self.raw("GET", "/status", None)
                && v["ready"].as_bool() == Some(true)
            {
                return;
            }
            if let Ok(Some(status)) = self.driver.try_wait() {
                panic!("chromedriver exited ({status}):\n{}", self.driver_log_tail());
            }
            if Instant::now() > deadline {
                panic!("chromedriver did not answer within {WAIT:?}:\n{}", self.driver_log_tail());
            }
            std::thread::sleep(POLL);
        }
    }

    fn driver_log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.driver_log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Seconds since the browser was launched.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    // -----------------------------------------------------------------------
    // Protocol

    /// One WebDriver command; `path` is relative to the driver root.
    fn raw(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, WdError> {
        let url = format!("{}{path}", self.driver_url);
        let res = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self.agent.post(&url).send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut res = res.map_err(|e| WdError(format!("{method} {path}: {e}")))?;
        let ok = res.status().is_success();
        let text = res
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| WdError(format!("{method} {path}: reading the answer: {e}")))?;
        let v: Value =
            serde_json::from_str(&text).map_err(|e| WdError(format!("{method} {path}: not JSON ({e}): {text}")))?;
        if ok {
            Ok(v["value"].clone())
        } else {
            let err = &v["value"];
            Err(WdError(format!(
                "{method} {path}: {}: {}",
                err["error"].as_str().unwrap_or("error"),
                err["message"].as_str().unwrap_or("").lines().next().unwrap_or("")
            )))
        }
    }

    /// A command within the session.
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, WdError> {
        self.raw(method, &format!("/session/{}{path}", self.session), body)
    }

    /// A command that must succeed.
    fn must(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        match self.cmd(method, path, body) {
            Ok(v) => v,
            Err(e) => self.fail(&format!("WebDriver command failed: {e}")),
        }
    }

    /// Runs a script in the page (`arguments` are `args`) and returns its result.
    pub fn try_exec(&self, script: &str, args: Vec<Value>) -> Result<Value, WdError> {
        self.cmd("POST", "/execute/sync", Some(json!({ "script": script, "args": args })))
    }

    pub fn exec(&self, script: &str, args: Vec<Value>) -> Value {
        match self.try_exec(script, args) {
            Ok(v) => v,
            Err(e) => self.fail(&format!("script failed: {e}\n{script}")),
        }
    }

    // -----------------------------------------------------------------------
    // Pages

    /// Opens a path of the application.
    pub fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.origin);
        self.must("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn try_url(&self) -> Result<String, WdError> {
        Ok(self.cmd("GET", "/url", None)?.as_str().unwrap_or_default().to_string())
    }

    pub fn url(&self) -> String {
        self.try_url().unwrap_or_else(|e| self.fail(&format!("read the URL: {e}")))
    }

    /// The current URL without the origin, e.g. `/members?name=李`.
    pub fn path(&self) -> String {
        let url = self.url();
        let path = url.strip_prefix(&self.origin).unwrap_or(&url).to_string();
        urlencoding::decode(&path).map(|p| p.into_owned()).unwrap_or(path)
    }

    pub fn source(&self) -> String {
        self.cmd("GET", "/source", None).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }

    /// The page's visible text.
    pub fn body_text(&self) -> String {
        self.try_exec("return document.body ? document.body.innerText : '';", vec![])
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    // -----------------------------------------------------------------------
    // Elements

    fn find_by(&self, using: &str, value: &str) -> Result<El, WdError> {
        let v = self.cmd("POST", "/element", Some(json!({ "using": using, "value": value })))?;
        v[ELEMENT].as_str().map(|id| El(id.to_string())).ok_or_else(|| WdError(format!("no element reference in {v}")))
    }

    /// Waits for the element matching a CSS selector.
    pub fn css(&self, selector: &str) -> El {
        self.wait(&format!("an element matching `{selector}`"), || self.find_by("css selector", selector).ok())
    }

    /// Waits for the element matching an XPath expression.
    pub fn xpath(&self, expr: &str) -> El {
        self.wait(&format!("an element matching XPath `{expr}`"), || self.find_by("xpath", expr).ok())
    }

    /// The first element inside `within` matching a CSS selector (waiting for it).
    pub fn find_in(&self, within: &El, selector: &str) -> El {
        self.wait(&format!("an element matching `{selector}` inside {within:?}"), || {
            let v = self
                .cmd(
                    "POST",
                    &format!("/element/{}/element", within.0),
                    Some(json!({ "using": "css selector", "value": selector })),
                )
                .ok()?;
            v[ELEMENT].as_str().map(|id| El(id.to_string()))
        })
    }

    /// How many elements match a CSS selector now.
    pub fn count(&self, selector: &str) -> usize {
        self.exec("return document.querySelectorAll(arguments[0]).length;", vec![json!(selector)]).as_u64().unwrap_or(0)
            as usize
    }

    /// Whether an element matches the selector now (no waiting).
    pub fn exists(&self, selector: &str) -> bool {
        self.find_by("css selector", selector).is_ok()
    }

    /// Counts a document not seen before as a page load.
    fn note_document(&self) {
        let Ok(origin) = self.try_exec("return String(performance.timeOrigin);", vec![]) else { return };
        let origin = origin.to_string();
        if *self.document.borrow() != origin {
            *self.document.borrow_mut() = origin;
            self.tally(|e| e.loads += 1);
        }
    }

    fn tally(&self, f: impl FnOnce(&mut Effort)) {
        let mut e = self.effort.get();
        f(&mut e);
        self.effort.set(e);
    }

    /// What was done since [`Browser::reset_effort`] (the page shown now included).
    pub fn effort(&self) -> Effort {
        self.note_document();
        self.effort.get()
    }

    /// Starts counting afresh from the page shown now (which is not counted).
    pub fn reset_effort(&self) {
        self.note_document();
        self.effort.set(Effort::default());
    }

    /// Clicks a link or a button (one click).
    pub fn click(&self, el: &El) {
        self.note_document();
        self.tally(|e| e.clicks += 1);
        self.must("POST", &format!("/element/{}/click", el.0), None);
    }

    /// Ticks a radio button or a checkbox (one field touched).
    pub fn tick(&self, el: &El) {
        self.note_document();
        self.tally(|e| e.fields += 1);
        self.must("POST", &format!("/element/{}/click", el.0), None);
    }

    /// Answers the next confirmation (`data-confirm`) with OK: one click.
    pub fn accept_confirm(&self) {
        self.tally(|e| e.clicks += 1);
        self.exec("window.confirm = function () { return true; };", vec![]);
    }

    /// Clears an input and types `text` into it, key by key.
    pub fn type_into(&self, el: &El, text: &str) {
        self.note_document();
        self.tally(|e| e.fields += 1);
        self.must("POST", &format!("/element/{}/clear", el.0), None);
        self.must("POST", &format!("/element/{}/value", el.0), Some(json!({ "text": text })));
    }

    /// Sets an input's value by script (for date inputs, whose typing depends
    /// on the browser's locale) and fires `input` and `change`.
    pub fn set_value(&self, el: &El, value: &str) {
        self.note_document();
        self.tally(|e| e.fields += 1);
        self.exec(
            "arguments[0].value = arguments[1];\
             arguments[0].dispatchEvent(new Event('input', { bubbles: true }));\
             arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!({ ELEMENT: el.0 }), json!(value)],
        );
    }

    /// Chooses the option of a `<select>` whose text is `label`, by clicking it.
    pub fn choose(&self, select_id: &str, label: &str) {
        let opt = self.xpath(&format!("//select[@id='{select_id}']/option[normalize-space()='{label}']"));
        self.tick(&opt);
        let chosen = self.exec(
            "var s = document.getElementById(arguments[0]); return s.options[s.selectedIndex].text;",
            vec![json!(select_id)],
        );
        if chosen.as_str().map(str::trim) != Some(label) {
            self.fail(&format!("#{select_id} shows {chosen} after choosing {label}"));
        }
    }

    pub fn text(&self, el: &El) -> String {
        self.must("GET", &format!("/element/{}/text", el.0), None).as_str().unwrap_or_default().to_string()
    }

    /// The live `value` property of the input matching a CSS selector, found
    /// afresh until it can be read (an element of the page being replaced
    /// goes stale between finding and reading it).
    pub fn value_of(&self, selector: &str) -> String {
        self.wait(&format!("the value of `{selector}`"), || {
            let el = self.find_by("css selector", selector).ok()?;
            let v = self.cmd("GET", &format!("/element/{}/property/value", el.0), None).ok()?;
            Some(v.as_str().unwrap_or_default().to_string())
        })
    }

    /// The live `value` property of an input.
    pub fn value(&self, el: &El) -> String {
        self.must("GET", &format!("/element/{}/property/value", el.0), None).as_str().unwrap_or_default().to_string()
    }

    pub fn displayed(&self, el: &El) -> bool {
        self.must("GET", &format!("/element/{}/displayed", el.0), None).as_bool().unwrap_or(false)
    }

    /// The element's box in CSS pixels: (x, y, width, height).
    pub fn rect(&self, el: &El) -> (f64, f64, f64, f64) {
        let r = self.must("GET", &format!("/element/{}/rect", el.0), None);
        let n = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
        (n("x"), n("y"), n("width"), n("height"))
    }

    pub fn el_arg(el: &El) -> Value {
        json!({ ELEMENT: el.0 })
    }

    // -----------------------------------------------------------------------
    // Waiting

    /// Polls `probe` until it gives Some, for up to [`WAIT`]; fails naming `what`.
    pub fn wait<T>(&self, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(v) = probe() {
                return v;
            }
            if Instant::now() > deadline {
                self.fail(&format!("waited {WAIT:?} for {what}"));
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits until the visible text of the page contains `text`.
    pub fn wait_text(&self, text: &str) {
        self.wait(&format!("the text {text:?}"), || self.body_text().contains(text).then_some(()));
    }

    /// Waits until the current path (decoded, without the origin) satisfies `pred`.
    pub fn wait_path(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait(&format!("a page at {what}"), || {
            let url = self.try_url().ok()?;
            let path = url.strip_prefix(&self.origin)?;
            let path = urlencoding::decode(path).map(|p| p.into_owned()).unwrap_or_else(|_| path.to_string());
            let ready = self.try_exec("return document.readyState;", vec![]).ok()?;
            (ready == "complete" && pred(&path)).then_some(path)
        })
    }

    /// Fails the test unless `cond` holds.
    pub fn check(&self, cond: bool, what: &str) {
        if !cond {
            self.fail(what);
        }
    }

    /// Runs axe-core (fetched by .ci/install-axe.sh) on the current page and
    /// fails on any serious or critical violation, naming each rule, its help
    /// and the first elements it found.
    pub fn assert_accessible(&self, what: &str) {
        if self.exec("return typeof window.axe;", vec![]).as_str() != Some("object") {
            let src = axe_source();
            if let Err(e) = self.try_exec(&format!("{src}\n;return 1;"), vec![]) {
                self.fail(&format!("axe-core did not load on {what}: {e}"));
            }
        }
        let script = "var done = arguments[arguments.length - 1];\
            axe.run(document, { resultTypes: ['violations'] }).then(function (r) {\
              done(r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })\
                .map(function (v) { return v.impact + ' ' + v.id + ' (' + v.help + ') on ' + v.nodes.length + ': ' +\
                  v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); }).join(' | '); }));\
            }, function (e) { done(['axe failed: ' + e]); });";
        let found = match self.cmd("POST", "/execute/async", Some(json!({ "script": script, "args": [] }))) {
            Ok(v) => v,
            Err(e) => self.fail(&format!("axe-core did not run on {what}: {e}")),
        };
        let found: Vec<String> = found
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect())
            .unwrap_or_default();
        if !found.is_empty() {
            self.fail(&format!(
                "{what}: {} serious or critical accessibility violations:\n{}",
                found.len(),
                found.join("\n")
            ));
        }
    }

    // -----------------------------------------------------------------------
    // Evidence

    /// Saves a PNG screenshot of the viewport as `target/browser-screenshots/<name>`.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let path = self.shots.join(name);
        if let Err(e) = self.try_screenshot(&path) {
            self.fail(&format!("screenshot {name}: {e}"));
        }
        path
    }

    fn try_screenshot(&self, path: &Path) -> Result<(), WdError> {
        let data = self.cmd("GET", "/screenshot", None)?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .map_err(|e| WdError(format!("screenshot is not base64: {e}")))?;
        if !png.starts_with(b"\x89PNG") {
            return Err(WdError("screenshot is not a PNG".into()));
        }
        std::fs::write(path, png).map_err(|e| WdError(format!("write {}: {e}", path.display())))
    }

    /// Asserts that the page and everything it loaded stayed on the local
    /// server: every `http://` or `https://` in the source starts with the
    /// server's origin, and so does every resource the browser fetched.
    pub fn assert_only_local(&self) {
        let source = self.source();
        for scheme in ["http://", "https://"] {
            for (i, _) in source.match_indices(scheme) {
                let rest = &source[i..];
                // XML namespace names of inline SVG are names, never fetched.
                if rest.starts_with("http://www.w3.org/2000/svg") || rest.starts_with("http://www.w3.org/1999/xlink") {
                    continue;
                }
                let local = rest.strip_prefix(&self.origin).is_some_and(|after| {
                    after.is_empty() || !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '.' || c == ':')
                });
                if !local {
                    let end = rest
                        .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '<')
                        .unwrap_or(rest.len());
                    self.fail(&format!("the page refers to a non-local address: {}", &rest[..end.min(200)]));
                }
            }
        }
        let fetched = self.exec(
            "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))\
             .map(function (e) { return e.name; });",
            vec![],
        );
        for name in fetched.as_array().into_iter().flatten().filter_map(Value::as_str) {
            let local = name.strip_prefix(&self.origin).is_some_and(|after| after.is_empty() || after.starts_with('/'));
            if !local && !name.starts_with("data:") {
                self.fail(&format!("the browser fetched a non-local resource: {name}"));
            }
        }
    }

    /// Prints the URL, the visible text and the page source (excerpts), saves a
    /// screenshot `FAILED-<journey>.png`, and panics with `msg`.
    pub fn fail(&self, msg: &str) -> ! {
        let url = self.try_url().unwrap_or_else(|e| format!("(unknown: {e})"));
        let text = excerpt(&self.body_text(), 1500);
        let source = excerpt(&self.source(), 4000);
        let shot = self.shots.join(format!("FAILED-{}.png", self.journey));
        let shot_note = match self.try_screenshot(&shot) {
            Ok(()) => format!("screenshot: {}", shot.display()),
            Err(e) => format!("no screenshot: {e}"),
        };
        let _ = writeln!(
            std::io::stderr(),
            "\n=== browser test failed: {msg}\n--- URL: {url}\n--- {shot_note}\n--- visible text:\n{text}\n--- page source:\n{source}\n==="
        );
        panic!("{msg} (at {url})");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.raw("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn excerpt(s: &str, max_chars: usize) -> String {
    let n = s.chars().count();
    if n <= max_chars {
        return s.to_string();
    }
    let cut: String = s.chars().take(max_chars).collect();
    format!("{cut}\n… ({} more characters)", n - max_chars)
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local address").port()
}

/// Stops the driver's process group (the driver and every browser process it
/// started) once the test process or the driver has gone, however they went.
fn watchdog(driver_pid: u32) {
    // Never signal a group that is not the driver's: "-1" would mean every process.
    assert!(driver_pid > 1, "a real chromedriver pid");
    let script = r#"
case "$1" in ''|*[!0-9]*) exit 0 ;; esac
[ "$1" -gt 1 ] || exit 0
while kill -0 "$0" 2>/dev/null && kill -0 "$1" 2>/dev/null; do sleep 0.5; done
kill -9 "-$1" 2>/dev/null
exit 0
"#;
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).arg(std::process::id().to_string()).arg(driver_pid.to_string());
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    if let Err(e) = cmd.spawn() {
        let _ = writeln!(std::io::stderr(), "browser tests: could not start the chromedriver watchdog ({e})");
    }
}

// ---------------------------------------------------------------------------
// Journeys

/// Serves a store on a free loopback port; returns the origin.
pub async fn serve(store: xianfeng_store::Store) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let origin = format!("http://{}", listener.local_addr().expect("local address"));
    tokio::spawn(async move {
        if let Err(e) = xianfeng_web::serve(listener, xianfeng_web::AppState::new(store)).await {
            panic!("the test server stopped: {e}");
        }
    });
    origin
}

/// Runs a blocking journey off the runtime's threads, passing its panic on.
pub async fn run_blocking(journey: impl FnOnce() + Send + 'static) {
    if let Err(e) = tokio::task::spawn_blocking(journey).await {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("the journey did not finish: {e}"),
        }
    }
}

/// Signs in through the login form and waits for the page after it.
pub fn login(b: &Browser, username: &str, shot: Option<&str>) {
    b.goto("/login");
    let user = b.css("#username");
    b.wait_text("先锋党建平台");
    b.assert_only_local();
    b.type_into(&user, username);
    b.type_into(&b.css("#password"), super::common::PASSWORD);
    if let Some(name) = shot {
        b.screenshot(name);
    }
    b.click(&b.css("form[action='/login'] button[type=submit]"));
    b.wait_path("a page after signing in", |p| !p.starts_with("/login"));
}
