// Starts `proviso lsp` over stdio for YAML files (partnership manifests) and
// `.proviso` policy files, with the executable named by `proviso.path`.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;

/** The language server as the settings describe it. */
function serverOptions() {
  const command = vscode.workspace.getConfiguration("proviso").get("path") || "proviso";
  return { command, args: ["lsp"], transport: TransportKind.stdio };
}

const clientOptions = {
  documentSelector: [
    { scheme: "file", language: "yaml" },
    { scheme: "file", language: "proviso" },
  ],
};

async function start() {
  const server = serverOptions();
  client = new LanguageClient("proviso", "proviso", server, clientOptions);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const reason = error instanceof Error ? error.message : String(error);
    vscode.window.showErrorMessage(
      `proviso: could not start \`${server.command} lsp\` (${reason}). ` +
        "Put proviso on PATH, or set `proviso.path` to the executable."
    );
  }
}

async function stop() {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop();
  }
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("proviso.path")) {
        await stop();
        await start();
      }
    })
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate, serverOptions, clientOptions };
