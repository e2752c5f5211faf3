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
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("examples/facebook-2018/netflix.yaml")).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("mechanism: platform_login"))
        .unwrap() as u32;
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
    let response = |id: i32| loop {
        match client
            .receiver
            .recv_timeout(Duration::from_secs(20))
            .unwrap()
        {
            Message::Response(r) if r.id == id.into() => return r.response_result.unwrap(),
            _ => {}
        }
    };
    send(serde_json::json!({"id": 1, "method": "initialize", "params": {"capabilities": {}}}));
    response(1);
    send(serde_json::json!({"method": "initialized", "params": {}}));
    send(
        serde_json::json!({"method": "textDocument/didOpen", "params": {"textDocument": {"uri": "file:///nowhere/netflix.yaml", "languageId": "yaml", "version": 1, "text": text}}}),
    );
    send(
        serde_json::json!({"id": 2, "method": "textDocument/codeAction", "params": {"textDocument": {"uri": "file:///nowhere/netflix.yaml"}, "range": {"start": {"line": line, "character": 20}, "end": {"line": line, "character": 20}}, "context": {"diagnostics": []}}}),
    );
    let actions = response(2);
    let waiver = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Add a waiver of `ftc2012/messages-consent`")
        .unwrap_or_else(|| panic!("{actions:#}"));
    let edit = &waiver["edit"]["changes"]["file:///nowhere/netflix.yaml"][0];
    let new_text = edit["newText"].as_str().unwrap();
    assert!(
        new_text.contains("  - rule: ftc2012/messages-consent\n    grant: inbox\n"),
        "{new_text}"
    );
    assert!(new_text.contains("expires: <YYYY-MM-DD"), "{new_text}");
    // Applied, the waiver is a schema error until it is filled in: it
    // silences nothing.
    let at = edit["range"]["start"]["line"].as_u64().unwrap() as usize;
    let mut lines: Vec<&str> = text.lines().collect();
    let tail: Vec<&str> = new_text.lines().collect();
    let insert_at = at.min(lines.len());
    for (i, l) in tail.iter().enumerate() {
        lines.insert(insert_at + i, l);
    }
    let applied = lines.join("\n") + "\n";
    let program = proviso::shipped::program().unwrap();
    let opts = proviso::run::Options::new(proviso::date::Date::parse("2018-12-18").unwrap());
    let report = proviso::run::check_text(&program, "netflix.yaml", applied, &opts);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == "manifest/schema" && f.message.contains("YYYY-MM-DD")),
        "{:#?}",
        report
            .findings
            .iter()
            .map(|f| &f.message)
            .collect::<Vec<_>>()
    );
    send(serde_json::json!({"id": 3, "method": "shutdown"}));
    response(3);
    send(serde_json::json!({"method": "exit"}));
    assert!(thread.join().unwrap().is_ok());
}
