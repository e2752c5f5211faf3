#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Language server sessions as data (`tests/lsp/*.json`): each step sends
//! a message to the server, or receives the next one and compares it with
//! what the step expects. The server runs on a thread, over an in-memory
//! connection, as an editor would drive it.
//!
//! An expected value matches when every key it gives matches (objects may
//! have more keys), every item of an expected list matches an item of the
//! actual one, a string that starts with `~ ` is contained in the actual
//! one, and any other value is equal.

use lsp_server::{Connection, Message};
use serde_json::Value;
use std::time::Duration;

fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|x| matches(v, x))),
        (Value::Array(e), Value::Array(a)) => {
            (e.is_empty() == a.is_empty()) && e.iter().all(|v| a.iter().any(|x| matches(v, x)))
        }
        (Value::String(e), Value::String(a)) if e.starts_with("~ ") => {
            a.contains(e.trim_start_matches("~ "))
        }
        _ => expected == actual,
    }
}

fn run(name: &str, session: &Value) {
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || proviso::lsp::serve(&server));
    for (i, step) in session["steps"].as_array().unwrap().iter().enumerate() {
        if let Some(send) = step.get("send") {
            let mut message = send.clone();
            message["jsonrpc"] = "2.0".into();
            if message.get("params").is_none() && message.get("id").is_some() {
                message["params"] = Value::Null;
            }
            let message: Message = serde_json::from_value(message).unwrap();
            client.sender.send(message).unwrap();
        } else if let Some(expected) = step.get("receive") {
            let got = client
                .receiver
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|e| panic!("{name}: step {i}: nothing received: {e}"));
            let got = serde_json::to_value(&got).unwrap();
            assert!(
                matches(expected, &got),
                "{name}: step {i}: expected\n{}\ngot\n{}",
                serde_json::to_string_pretty(expected).unwrap(),
                serde_json::to_string_pretty(&got).unwrap()
            );
        } else {
            panic!("{name}: step {i} neither sends nor receives");
        }
    }
    let ended = thread.join().unwrap();
    assert!(ended.is_ok(), "{name}: the server ended with {ended:?}");
}

#[test]
fn sessions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        let session: Value = serde_json::from_str(&text).unwrap();
        run(&path.display().to_string(), &session);
    }
}

#[test]
fn the_matcher_can_fail() {
    let expected: Value = serde_json::json!({"a": [{"b": 1}]});
    assert!(matches(
        &expected,
        &serde_json::json!({"a": [{"b": 1, "c": 2}], "d": 3})
    ));
    assert!(!matches(&expected, &serde_json::json!({"a": [{"b": 2}]})));
    assert!(!matches(
        &serde_json::json!({"a": []}),
        &serde_json::json!({"a": [1]})
    ));
}

/// Half-typed files: every prefix (in steps) of an example manifest and of
/// a shipped policy is sent as the document's text, with a hover, a
/// definition, a formatting and a completion request at its end; every request is
/// answered and the server keeps running.
#[test]
fn half_typed_files_get_answers() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest =
        std::fs::read_to_string(root.join("examples/facebook-2018/netflix.yaml")).unwrap();
    let policy = std::fs::read_to_string(root.join("policies/ftc2012.proviso")).unwrap();
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || proviso::lsp::serve(&server));
    let send = |v: Value| {
        let mut v = v;
        v["jsonrpc"] = "2.0".into();
        client
            .sender
            .send(serde_json::from_value(v).unwrap())
            .unwrap();
    };
    let next = || {
        client
            .receiver
            .recv_timeout(Duration::from_secs(20))
            .unwrap()
    };
    send(serde_json::json!({"id": 0, "method": "initialize", "params": {"capabilities": {}}}));
    next();
    send(serde_json::json!({"method": "initialized", "params": {}}));
    let mut id = 1;
    for (uri, text) in [
        ("file:///nowhere/m.yaml", &manifest),
        ("file:///nowhere/p.proviso", &policy),
    ] {
        send(
            serde_json::json!({"method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "x", "version": 0, "text": ""}}}),
        );
        let mut cut = 0;
        while cut < text.len() {
            let prefix: String = text.chars().take(cut).collect();
            let lines = prefix.lines().count().max(1) as u32;
            send(
                serde_json::json!({"method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": id}, "contentChanges": [{"text": prefix}]}}),
            );
            for method in [
                "textDocument/hover",
                "textDocument/definition",
                "textDocument/formatting",
                "textDocument/completion",
            ] {
                id += 1;
                send(
                    serde_json::json!({"id": id, "method": method, "params": {"textDocument": {"uri": uri}, "position": {"line": lines - 1, "character": 3}, "options": {"tabSize": 2, "insertSpaces": true}}}),
                );
                // Diagnostics come before the answer; the answer comes.
                loop {
                    match next() {
                        Message::Response(r) => {
                            assert_eq!(r.id, id.into());
                            assert!(
                                r.response_result.is_ok(),
                                "{method} on a prefix of {cut}: {:?}",
                                r.response_result
                            );
                            break;
                        }
                        Message::Notification(_) => {}
                        Message::Request(r) => panic!("unexpected request {r:?}"),
                    }
                }
            }
            cut += 97;
        }
    }
    send(serde_json::json!({"id": 999_999, "method": "shutdown"}));
    loop {
        if let Message::Response(r) = next() {
            assert_eq!(r.id, 999_999.into());
            break;
        }
    }
    send(serde_json::json!({"method": "exit"}));
    assert!(thread.join().unwrap().is_ok());
}

/// A quick fix adds a waiver of a rule's finding for its grant, with the
/// reason, approver and expiry to fill in.
#[test]
fn a_waiver_is_offered_for_a_rules_finding() {
    let text = netflix();
    let line = text
        .lines()
        .position(|l| l.contains("mechanism: platform_login"))
        .unwrap();
    let mut client = Client::start(None);
    let uri = "file:///nowhere/netflix.yaml";
    client.open(uri, &text);
    let actions = client.actions(uri, line, 20);
    let waiver = actions
        .iter()
        .find(|a| a["title"] == "Add a waiver of `ftc2012/messages-consent`")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    let edit = &waiver["edit"]["changes"][uri][0];
    let new_text = edit["newText"].as_str().unwrap();
    assert!(
        new_text.contains("  - rule: ftc2012/messages-consent\n    grant: inbox\n"),
        "{new_text}"
    );
    assert!(new_text.contains("expires: <YYYY-MM-DD"), "{new_text}");
    // Applied, the waiver is a schema error until it is filled in: it
    // silences nothing.
    let findings = check(&apply(&text, edit));
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "manifest/schema" && f.message.contains("YYYY-MM-DD")),
        "{:#?}",
        findings.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    client.stop();
}

/// A client on an in-memory connection: requests answered by id, and the
/// diagnostics published for each URI as last seen.
struct Client {
    conn: Connection,
    diagnostics: std::collections::HashMap<String, Value>,
    thread: Option<std::thread::JoinHandle<Result<proviso::lsp::Ended, String>>>,
}

impl Client {
    fn start(root: Option<&std::path::Path>) -> Client {
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || proviso::lsp::serve(&server));
        let mut c = Client {
            conn: client,
            diagnostics: std::collections::HashMap::new(),
            thread: Some(thread),
        };
        let root_uri = root.map(|r| format!("file://{}", r.display()));
        c.request(
            1,
            "initialize",
            serde_json::json!({"capabilities": {}, "rootUri": root_uri}),
        );
        c.notify("initialized", serde_json::json!({}));
        c
    }

    fn notify(&self, method: &str, params: Value) {
        let v = serde_json::json!({"jsonrpc": "2.0", "method": method, "params": params});
        self.conn
            .sender
            .send(serde_json::from_value(v).unwrap())
            .unwrap();
    }

    fn request(&mut self, id: i32, method: &str, params: Value) -> Value {
        let v = serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.conn
            .sender
            .send(serde_json::from_value(v).unwrap())
            .unwrap();
        loop {
            match self
                .conn
                .receiver
                .recv_timeout(Duration::from_secs(20))
                .unwrap()
            {
                Message::Response(r) if r.id == id.into() => {
                    return r.response_result.unwrap_or(Value::Null);
                }
                Message::Notification(n) => {
                    let uri = n.params["uri"].as_str().unwrap_or("").to_string();
                    self.diagnostics
                        .insert(uri, n.params["diagnostics"].clone());
                }
                _ => {}
            }
        }
    }

    /// The diagnostics of `uri` once every message sent so far is handled.
    fn diagnostics(&mut self, uri: &str) -> Value {
        self.request(9999, "textDocument/hover", serde_json::json!({"textDocument": {"uri": "file:///none"}, "position": {"line": 0, "character": 0}}));
        self.diagnostics.get(uri).cloned().unwrap_or(Value::Null)
    }

    fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            serde_json::json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    fn actions(&mut self, uri: &str, line: usize, character: usize) -> Vec<Value> {
        let at = serde_json::json!({"line": line, "character": character});
        self.request(
            7,
            "textDocument/codeAction",
            serde_json::json!({"textDocument": {"uri": uri}, "range": {"start": at, "end": at}, "context": {"diagnostics": []}}),
        )
        .as_array()
        .cloned()
        .unwrap_or_default()
    }

    fn stop(mut self) {
        self.request(9998, "shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let ended = self.thread.take().unwrap().join().unwrap();
        assert_eq!(ended, Ok(proviso::lsp::Ended::ShutDown));
    }
}

/// The text with an edit applied, its positions in UTF-16 units.
fn apply(text: &str, edit: &Value) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let character = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let rest = &text[start..];
        let mut units = 0;
        for (i, c) in rest.char_indices() {
            if units >= character || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let (a, b) = (
        offset(&edit["range"]["start"]),
        offset(&edit["range"]["end"]),
    );
    format!(
        "{}{}{}",
        &text[..a],
        edit["newText"].as_str().unwrap(),
        &text[b..]
    )
}

fn netflix() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join("examples/facebook-2018/netflix.yaml")).unwrap()
}

fn check(text: &str) -> Vec<proviso::diagnostics::Finding> {
    let program = proviso::shipped::program().unwrap();
    let opts = proviso::run::Options::new(proviso::date::Date::parse("2018-12-18").unwrap());
    proviso::run::check_text(&program, "m.yaml", text.to_string(), &opts).findings
}

/// The waiver a quick fix adds, filled in: it reads back as written
/// (a grant id that YAML would read as a comment or a null is quoted), it
/// lines up with the waivers already there, and it covers the finding of
/// its grant only.
#[test]
fn a_waiver_quick_fix_writes_yaml_that_reads_back() {
    let base = netflix();
    let with_second = base.replacen("grants:\n", "grants:\n  - id: other\n    feature: recommend-via-messenger\n    api: graph/me\n    data: [content.private_messages]\n    subjects: [user]\n    operations: [read]\n    necessity:\n      read: x\n    lawful_basis: consent\n    consent:\n      mechanism: platform_login\n      covers: [user]\n      recorded: false\n      withdrawable: true\n    honors_privacy_settings: true\n    hides_access_indicators: false\n    storage: partner_servers\n    retention: 30d\n    deletion_propagation: 14d\n    granted: 2013-01-01\n", 1);
    let layouts = [
        ("#inbox", String::new()),
        ("null", String::new()),
        (
            "inbox",
            "waivers:\n    -   rule: ftc2012/messages-consent\n        grant: other\n        reason: r\n        approved_by: a\n        expires: 2019-01-01\n".to_string(),
        ),
        ("inbox", "waivers:   # none yet\n".to_string()),
    ];
    for (id, waivers) in layouts {
        let text =
            with_second.replace("  - id: inbox\n", &format!("  - id: \"{id}\"\n")) + &waivers;
        let mut client = Client::start(None);
        let uri = "file:///nowhere/m.yaml";
        client.open(uri, &text);
        let line = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("mechanism: platform_login"))
            .nth(1)
            .unwrap()
            .0;
        let actions = client.actions(uri, line, 20);
        let waiver = actions
            .iter()
            .find(|a| a["title"] == "Add a waiver of `ftc2012/messages-consent`")
            .unwrap_or_else(|| panic!("{id}: {actions:#?}"));
        let edit = &waiver["edit"]["changes"][uri][0];
        let applied = apply(&text, edit)
            .replace("<why the finding is accepted>", "\"accepted\"")
            .replace("<who approved it>", "council")
            .replace("<YYYY-MM-DD, within the allowed days>", "2019-06-01");
        let findings = check(&applied);
        let schema: Vec<_> = findings
            .iter()
            .filter(|f| f.rule.starts_with("manifest/"))
            .map(|f| &f.message)
            .collect();
        assert!(schema.is_empty(), "{id}: {schema:?}\n{applied}");
        let consent: Vec<_> = findings
            .iter()
            .filter(|f| f.rule == "ftc2012/messages-consent")
            .map(|f| {
                (
                    f.waiver.is_some(),
                    f.bindings.first().map(ToString::to_string),
                )
            })
            .collect();
        assert!(
            consent.contains(&(true, Some("/grants/1".into()))),
            "{id}: {consent:?}\n{applied}"
        );
        if waivers.is_empty() {
            // The other grant's finding stays: the waiver is for one grant.
            assert!(
                consent.contains(&(false, Some("/grants/0".into()))),
                "{id}: {consent:?}"
            );
        }
        client.stop();
    }
    // A layout the edit cannot follow gets no waiver rather than a broken
    // file: a flow list, and a second document.
    for tail in ["waivers: []\n", "...\n", "---\nschema: partnership/v1\n"] {
        let text = base.clone() + tail;
        let mut client = Client::start(None);
        let uri = "file:///nowhere/m.yaml";
        client.open(uri, &text);
        let line = text
            .lines()
            .position(|l| l.contains("mechanism: platform_login"))
            .unwrap();
        let actions = client.actions(uri, line, 20);
        assert!(
            actions
                .iter()
                .all(|a| !a["title"].as_str().unwrap().starts_with("Add a waiver")),
            "{tail}: {actions:#?}"
        );
        client.stop();
    }
}

/// A byte-order mark, lone carriage returns and control characters: the
/// ranges are those of the editor's text, the quick fix lands on the
/// value, and nothing a manifest holds reaches a message raw.
#[test]
fn editor_text_as_it_is() {
    let mut client = Client::start(None);
    let uri = "file:///nowhere/bom.yaml";
    let text = "\u{feff}schema: partnershp/v1\npartner: {name: Zoë}\n";
    client.open(uri, text);
    let diags = client.diagnostics(uri);
    let d = &diags[0];
    // The mark is one UTF-16 unit: the value starts at 9.
    assert_eq!(
        d["range"]["start"],
        serde_json::json!({"line": 0, "character": 9}),
        "{diags:#}"
    );
    let actions = client.actions(uri, 0, 12);
    let fixed = apply(text, &actions[0]["edit"]["changes"][uri][0]);
    assert_eq!(
        fixed,
        "\u{feff}schema: partnership/v1\npartner: {name: Zoë}\n"
    );

    let uri = "file:///nowhere/cr.yaml";
    let text = netflix().replace('\n', "\r").replace("kind: ", "kind: x");
    client.open(uri, &text);
    let diags = client.diagnostics(uri);
    let line = text
        .split('\r')
        .position(|l| l.contains("kind: x"))
        .unwrap();
    let kind = diags
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("is not a value of `PartnerKind`")
        })
        .unwrap_or_else(|| panic!("{diags:#}"));
    assert_eq!(kind["range"]["start"]["line"], line, "{kind:#}");
    let hover = client.request(
        5,
        "textDocument/hover",
        serde_json::json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 3}}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("kind"),
        "{hover:#}"
    );

    let uri = "file:///nowhere/evil.yaml";
    client.open(
        uri,
        "schema: partnership/v1\npartner: {kind: \"x\\e[31m\\nforged.yaml:1:1: error[x/y]: pwned\\u202e\"}\n",
    );
    let diags = client.diagnostics(uri);
    for d in diags.as_array().unwrap() {
        let m = d["message"].as_str().unwrap();
        assert!(!m.chars().any(|c| c.is_control() && c != '\n'), "{m:?}");
        assert!(!m.contains('\u{202e}'), "{m:?}");
        assert!(m.lines().all(|l| !l.starts_with("forged.yaml")), "{m:?}");
    }
    client.stop();
}

/// The project's configuration counts in the editor as in `proviso
/// check`: its waiver limit, and policies that do not check, which leave a
/// manifest "not checked", never clean.
#[test]
fn the_project_configuration_counts_in_the_editor() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join(".git"), "gitdir: elsewhere\n").unwrap();
    std::fs::write(root.join("proviso.yaml"), "max_waiver_days: 30\n").unwrap();
    let today = proviso::date::Date::today_utc();
    let later = proviso::date::Date(today.0 + 200);
    let text = netflix()
        + &format!("waivers:\n  - rule: ftc2012/messages-consent\n    grant: inbox\n    reason: r\n    approved_by: a\n    expires: {later}\n");
    let mut client = Client::start(Some(&root));
    let uri = format!("file://{}/m.yaml", root.display());
    client.open(&uri, &text);
    let diags = client.diagnostics(&uri);
    assert!(
        diags
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "proviso/waiver-too-long"),
        "{diags:#}"
    );
    client.stop();

    std::fs::create_dir(root.join("policies")).unwrap();
    std::fs::write(
        root.join("proviso.yaml"),
        "policies: [builtin, policies/]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("policies/x.proviso"),
        "policy x for partnership/v1\n\nrule x/y {\n  title    \"t\"\n  severity error\n  each grant in grants\n  require grant.retenton is set\n  message  \"m\"\n}\n",
    )
    .unwrap();
    let mut client = Client::start(Some(&root));
    client.open(&uri, &netflix());
    let diags = client.diagnostics(&uri);
    assert_eq!(diags.as_array().unwrap().len(), 1, "{diags:#}");
    let m = diags[0]["message"].as_str().unwrap();
    assert!(
        m.starts_with("not checked: the project's policies have errors"),
        "{m}"
    );
    assert!(
        m.contains("x.proviso:7:17: error: no field `retenton`"),
        "{m}"
    );
    // Saved, the policy's errors are published on its file, open or not.
    client.notify(
        "textDocument/didSave",
        serde_json::json!({"textDocument": {"uri": uri}}),
    );
    let policy = format!("file://{}/policies/x.proviso", root.display());
    let diags = client.diagnostics(&policy);
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `retention`"),
        "{diags:#}"
    );
    client.stop();
}

/// `proviso lsp` exits 0 after `shutdown` and `exit`, and 1 after an
/// `exit` that came without `shutdown`, as the protocol asks.
#[test]
fn the_exit_code_says_whether_the_client_shut_the_server_down() {
    use std::io::Write;
    let frame = |v: Value| {
        let body = v.to_string();
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    };
    for (shutdown, code) in [(true, 0), (false, 1)] {
        let mut input = frame(
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
        );
        input +=
            &frame(serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        if shutdown {
            input += &frame(serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
        }
        input += &frame(serde_json::json!({"jsonrpc": "2.0", "method": "exit"}));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_proviso"))
            .arg("lsp")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "shutdown first: {shutdown}; {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
