// Loads the extension of editors/vscode as VS Code would (the file named by
// `main` in its package.json) with stand-ins for the `vscode` module and
// for vscode-languageclient, then activates it, changes its setting and
// deactivates it. Prints what the extension did, one event a line, for
// tests/vscode.rs to compare.
//
//   node extension-host.js EXTENSION_DIR
"use strict";

const Module = require("module");
const path = require("path");
const fs = require("fs");

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node extension-host.js EXTENSION_DIR");
  process.exit(2);
}
const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
const properties = manifest.contributes.configuration.properties;

const events = [];
const settings = {};
const listeners = [];

// What `getConfiguration(section).get(key)` gives: the user's value, else
// the default the extension contributes.
function setting(name) {
  if (name in settings) return settings[name];
  return properties[name] ? properties[name].default : undefined;
}

const vscode = {
  workspace: {
    getConfiguration(section) {
      return { get: (key) => setting(section ? `${section}.${key}` : key) };
    },
    onDidChangeConfiguration(listener) {
      listeners.push(listener);
      return { dispose() {} };
    },
  },
  window: {
    showErrorMessage(message) {
      events.push(`error message: ${message}`);
      return Promise.resolve(undefined);
    },
  },
};

const TransportKind = { stdio: 0, ipc: 1, pipe: 2, socket: 3 };
class LanguageClient {
  constructor(id, name, server, client) {
    this.command = server.command;
    const transport = Object.keys(TransportKind).find((k) => TransportKind[k] === server.transport);
    const selector = client.documentSelector.map((s) => `${s.scheme}:${s.language}`).join(" ");
    events.push(
      `client ${id} (${name}): ${server.command} ${JSON.stringify(server.args)} over ${transport} for ${selector}`
    );
  }
  start() {
    // `provisoo` stands for a program that is not there.
    if (this.command === "provisoo") {
      events.push(`start ${this.command}: fails`);
      return Promise.reject(new Error(`spawn ${this.command} ENOENT`));
    }
    events.push(`start ${this.command}`);
    return Promise.resolve();
  }
  stop() {
    events.push(`stop ${this.command}`);
    return Promise.resolve();
  }
}

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === "vscode") return vscode;
  if (request === "vscode-languageclient/node") return { LanguageClient, TransportKind };
  return load.call(this, request, parent, isMain);
};

async function change(name, value) {
  settings[name] = value;
  events.push(`set ${name} = ${value}`);
  const event = { affectsConfiguration: (section) => section === name || name.startsWith(`${section}.`) };
  for (const listener of listeners) await listener(event);
}

async function main() {
  const extension = require(path.resolve(dir, manifest.main));
  const subscriptions = [];
  await extension.activate({ subscriptions });
  await change("editor.tabSize", 2);
  await change("proviso.path", "/opt/proviso/bin/proviso");
  await change("proviso.path", "provisoo");
  await extension.deactivate();
  events.push("deactivated");
  await change("proviso.path", "proviso");
  await extension.deactivate();
  events.push("deactivated");
  process.stdout.write(events.join("\n") + "\n");
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
