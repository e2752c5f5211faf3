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
