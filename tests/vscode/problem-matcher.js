// Applies the problem matcher `proviso` of editors/vscode/package.json to
// lines of command output the way VS Code's task system does (its
// problemMatcher.ts): the pattern's group indices with VS Code's defaults,
// the regexp built with `new RegExp(string)`, the file, message, code and
// severity groups trimmed of spaces, the severity names VS Code knows
// (`note` is information), a problem only when it has a file, a line and a
// message, and the file resolved by the matcher's `fileLocation`.
//
//   node problem-matcher.js PACKAGE_JSON WORKSPACE_FOLDER LINES_FILE
//
// Prints a JSON array with one entry a line of LINES_FILE: null when VS Code
// would make no problem of the line, else the problem.
"use strict";

const fs = require("fs");
const path = require("path");

const [packageJson, workspaceFolder, linesFile] = process.argv.slice(2);
if (!linesFile) {
  console.error("usage: node problem-matcher.js PACKAGE_JSON WORKSPACE_FOLDER LINES_FILE");
  process.exit(2);
}

function fail(message) {
  console.error(`problem-matcher.js: ${message}`);
  process.exit(1);
}

const manifest = JSON.parse(fs.readFileSync(packageJson, "utf8"));
const matchers = (manifest.contributes && manifest.contributes.problemMatchers) || [];
const matcher = matchers.find((m) => m.name === "proviso");
if (!matcher) fail("no problem matcher named `proviso` in contributes.problemMatchers");
if (typeof matcher.pattern !== "object" || Array.isArray(matcher.pattern)) {
  fail("the pattern of `proviso` is not one inline single-line pattern");
}
if (!matcher.owner) fail("the problem matcher has no owner");

// ProblemPatternParser.doCreateSingleProblemPattern: copy the numeric
// properties (`column` is `character` inside), then the defaults.
const config = matcher.pattern;
const pattern = {};
const copies = [
  ["file", "file"],
  ["location", "location"],
  ["line", "line"],
  ["character", "column"],
  ["endLine", "endLine"],
  ["endCharacter", "endColumn"],
  ["severity", "severity"],
  ["code", "code"],
  ["message", "message"],
];
for (const [to, from] of copies) {
  if (typeof config[from] === "number") pattern[to] = config[from];
}
const defaults =
  pattern.location !== undefined || config.kind === "file"
    ? { file: 1, message: 0 }
    : { file: 1, line: 2, character: 3, message: 0 };
for (const [key, value] of Object.entries(defaults)) {
  if (pattern[key] === undefined) pattern[key] = value;
}
if (pattern.location !== undefined) fail("the pattern uses `location`, which this script does not read");
if (pattern.line === undefined) fail("the pattern has no line group");
let regexp;
try {
  regexp = new RegExp(config.regexp);
} catch (error) {
  fail(`the regexp is not valid: ${error.message}`);
}

// ProblemMatcherParser: fileLocation, with ${workspaceFolder} substituted.
function resolve(file) {
  let location = matcher.fileLocation === undefined ? "relative" : matcher.fileLocation;
  let kind = Array.isArray(location) ? location[0] : location;
  let prefix = Array.isArray(location) && location.length > 1 ? location[1] : "${workspaceFolder}";
  prefix = prefix.replace("${workspaceFolder}", workspaceFolder);
  kind = kind.toLowerCase();
  if (kind === "absolute") return path.normalize(file);
  if (kind === "relative") return path.normalize(path.join(prefix, file));
  if (kind === "autodetect") {
    const relative = path.normalize(path.join(prefix, file));
    return fs.existsSync(relative) ? relative : path.normalize(file);
  }
  fail(`fileLocation ${JSON.stringify(matcher.fileLocation)} is not read by this script`);
}

// Strings.trim: spaces at both ends.
function trim(value) {
  return value.replace(/^ +| +$/g, "");
}

// AbstractLineMatcher.getSeverity.
function severity(value) {
  if (value) {
    const lower = value.toLowerCase();
    if (lower === "error") return "error";
    if (lower === "warning" || lower === "warn") return "warning";
    if (lower === "info") return "info";
    if (value === "E") return "error";
    if (value === "W") return "warning";
    if (value === "I" || lower === "hint" || lower === "note") return "info";
  }
  return matcher.severity || "error";
}

function problem(line) {
  const matches = regexp.exec(line);
  if (!matches) return null;
  const data = {};
  const fill = (property, trimmed) => {
    const index = pattern[property];
    if (index !== undefined && index < matches.length && matches[index] !== undefined) {
      data[property] = trimmed ? trim(matches[index]) : matches[index];
    }
  };
  fill("file", true);
  fill("message", true);
  fill("code", true);
  fill("severity", true);
  fill("line", false);
  fill("character", false);
  if (!data.file || !data.line || !data.message) return null;
  return {
    file: data.file,
    resource: resolve(data.file),
    line: parseInt(data.line, 10),
    column: data.character ? parseInt(data.character, 10) : null,
    severity: severity(data.severity),
    code: data.code === undefined ? null : data.code,
    message: data.message,
    owner: matcher.owner,
    source: matcher.source === undefined ? null : matcher.source,
  };
}

const text = fs.readFileSync(linesFile, "utf8");
const lines = text.split("\n");
if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
process.stdout.write(JSON.stringify(lines.map(problem)) + "\n");
