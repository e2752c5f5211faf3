//! Fixtures shared by the command-line test binaries.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// A manifest that every shipped rule passes on 2018-12-18: the Spotify
/// example with recorded per-scope consent from every subject, a stated need
/// for every operation, a DPIA before the grant, and the grant revoked
/// within 30 days of its feature's retirement.
pub const COMPLIANT: &str = "\
# Spotify's messaging integration, done right.
schema: partnership/v1
partner:
  id: spotify
  name: Spotify AB
  kind: integration_partner
  country: SE
  owner: partnerships@platform.example
role: service_provider
own_purpose_use: false
agreements:
  - id: AGR-2010-044
    type: data_sharing
    signed: 2010-06-01
    expires: 2019-06-01
    purpose_restricted: true
    onward_transfer_prohibited: true
features:
  - id: messenger-in-spotify
    description: Send and read Facebook messages inside Spotify desktop
    purposes: [messaging]
    launched: 2013-11-01
    retired: 2018-11-15
grants:
  - id: inbox
    feature: messenger-in-spotify
    api: messaging/inbox
    data: [content.private_messages, content.message_participants]
    subjects: [user, friends]
    operations: [read, write, delete]
    necessity:
      read: show replies inside Spotify
      write: send a recommendation as a message
      delete: remove a message the user deleted in Spotify
    lawful_basis: consent
    consent:
      mechanism: per_scope_opt_in
      covers: [user, friends]
      recorded: true
      withdrawable: true
    honors_privacy_settings: true
    hides_access_indicators: false
    storage: partner_servers
    retention: 30d
    deletion_propagation: 30d
    monthly_users: 70000000
    granted: 2013-11-01
    revoked: 2018-12-01
    last_access: 2018-11-30
transfers:
  - country: US
    mechanism: sccs
governance:
  privacy_review: 2013-10-15
  dpia: 2013-10-20
  last_certification: 2018-06-01
  access_logs: true
";

/// Replaces exactly one occurrence of `from`, so a fixture edit that no
/// longer applies fails loudly instead of testing the wrong thing.
pub fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "fixture edit: `{from}` must occur exactly once"
    );
    text.replacen(from, to, 1)
}

/// A temporary directory that is the root of a repository as far as the
/// search for `proviso.yaml` goes: it holds a `.git` file, as a git
/// worktree's root does, and the search ends there. A stray
/// `proviso.yaml` in a parent (`/tmp/proviso.yaml`) cannot change a test's
/// run. A `.git` file is not YAML: discovery passes it over without a word.
pub fn fenced_tempdir() -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join(".git"), "gitdir: ../elsewhere\n").unwrap();
    dir
}

/// A finished run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(out: std::process::Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}
