#!/usr/bin/env python3
"""How long `proviso lsp` takes from opening a manifest to publishing its
diagnostics, as the manifest grows: each size is a manifest of N grants,
each with five findings, opened in a fresh server (wall time, median of
three). Converting every finding's place must cost a search, not a scan of
the text, so the time should grow with N, not N squared.

    cargo build --release && python3 benches/lsp.py 1000 2000 4000
    python3 benches/lsp.py --bin path/to/other/proviso 1000 2000
"""
import json, os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def manifest(n):
    text = open(os.path.join(ROOT, "examples/facebook-2018/netflix.yaml"), encoding="utf-8").read()
    head, rest = text.split("grants:\n", 1)
    grant, tail = rest.split("transfers:", 1)
    grants = "".join(grant.replace("- id: inbox", f"- id: g{i}") for i in range(n))
    return head + "grants:\n" + grants + "transfers:" + tail


def send(p, obj):
    body = json.dumps(obj).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    p.stdin.flush()


def receive(p):
    length = 0
    while True:
        line = p.stdout.readline().strip()
        if not line:
            break
        key, value = line.split(b":", 1)
        if key.lower() == b"content-length":
            length = int(value)
    return json.loads(p.stdout.read(length))


def open_once(binary, text, workdir):
    p = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=workdir)
    send(p, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
    receive(p)
    send(p, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
    uri = "file://" + os.path.join(workdir, "m.yaml")
    start = time.perf_counter()
    send(p, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
    while True:
        msg = receive(p)
        if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
            elapsed = time.perf_counter() - start
            found = len(msg["params"]["diagnostics"])
            break
    send(p, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    receive(p)
    send(p, {"jsonrpc": "2.0", "method": "exit"})
    p.wait()
    return elapsed, found


def main():
    args = sys.argv[1:]
    binary = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "proviso")
    if args[:1] == ["--bin"]:
        binary, args = args[1], args[2:]
    sizes = [int(a) for a in args] or [1000, 2000, 4000]
    with tempfile.TemporaryDirectory() as workdir:
        open(os.path.join(workdir, ".git"), "w").write("gitdir: none\n")
        for n in sizes:
            text = manifest(n)
            runs = [open_once(binary, text, workdir) for _ in range(3)]
            median = statistics.median(r[0] for r in runs)
            print(f"{n:>6} grants  {len(text) / 1e6:5.1f} MB  {runs[0][1]:>6} diagnostics  {median:7.3f} s")


if __name__ == "__main__":
    main()
