//! A Maildir (one file per message in `tmp/`, `new/` and `cur/`), as the
//! example servers share it: `smtp-server` delivers into it, `pop3-server`
//! and `imap-server` read from it.
//!
//! Delivery is atomic: the message is written and synced under `tmp/`, then
//! renamed into `new/`, so a reader never sees a partial message and a crash
//! leaves at most a stray file in `tmp/`. Folders follow the Maildir++
//! layout (`.Name/` below the root, `.` separating levels).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A Maildir directory.
#[derive(Debug, Clone)]
pub struct Maildir {
    root: PathBuf,
}

/// One message file of a Maildir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFile {
    /// Where the file is now.
    pub path: PathBuf,
    /// The unique name: the file name up to the `:2,` info.
    pub unique: String,
    /// The flag letters after `:2,` (`S` seen, `R` replied, `F` flagged,
    /// `T` trashed, `D` draft), sorted; empty in `new/`.
    pub flags: String,
    /// The file's size in octets.
    pub size: u64,
    /// Whether the file is still in `new/`.
    pub new: bool,
    /// The delivery time in seconds since the epoch, from the name.
    pub time: u64,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl Maildir {
    /// Opens the Maildir at `root`, creating `tmp/`, `new/` and `cur/`.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<Maildir> {
        let root = root.into();
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(root.join(sub))?;
        }
        Ok(Maildir { root })
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The Maildir++ folder `name` (levels separated by `.`), created if
    /// missing. `INBOX` is the root itself.
    pub fn folder(&self, name: &str) -> io::Result<Maildir> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Ok(self.clone());
        }
        if !valid_folder_name(name) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "bad folder name",
            ));
        }
        Maildir::open(self.root.join(format!(".{name}")))
    }

    /// The names of the Maildir++ folders below the root.
    pub fn folders(&self) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(folder) = name.strip_prefix('.')
                && valid_folder_name(folder)
                && entry.file_type()?.is_dir()
            {
                names.push(folder.to_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    /// Delivers `message` atomically into `new/` and returns its unique name.
    pub fn deliver(&self, message: &[u8]) -> io::Result<String> {
        let unique = unique_name();
        let tmp = self.root.join("tmp").join(&unique);
        let result = (|| {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)?;
            file.write_all(message)?;
            file.sync_all()?;
            fs::rename(&tmp, self.root.join("new").join(&unique))?;
            // The rename is durable once the directory is synced.
            fs::File::open(self.root.join("new"))?.sync_all()
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map(|()| unique)
    }

    /// Every message in `new/` and `cur/`, oldest delivery first.
    pub fn messages(&self) -> io::Result<Vec<MessageFile>> {
        let mut messages = Vec::new();
        for (sub, new) in [("new", true), ("cur", false)] {
            for entry in fs::read_dir(self.root.join(sub))? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') || !entry.file_type()?.is_file() {
                    continue;
                }
                let (unique, flags) = match name.split_once(":2,") {
                    Some((unique, flags)) => (unique.to_owned(), flags.to_owned()),
                    None => (name.clone(), String::new()),
                };
                let time = unique
                    .split('.')
                    .next()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0);
                let size = match entry.metadata() {
                    Ok(m) => m.len(),
                    // Moved (new/ to cur/, flags changed) or removed by
                    // another reader since the directory was read: a
                    // moved file is found where it went.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                };
                messages.push(MessageFile {
                    path: entry.path(),
                    unique,
                    flags,
                    size,
                    new,
                    time,
                });
            }
        }
        // A message moved to cur/ while new/ was read is listed once, in cur/.
        messages.sort_by(|a, b| (a.time, &a.unique, a.new).cmp(&(b.time, &b.unique, b.new)));
        messages.dedup_by(|later, first| later.unique == first.unique);
        Ok(messages)
    }

    /// The bytes of a message.
    pub fn read(&self, message: &MessageFile) -> io::Result<Vec<u8>> {
        fs::read(&message.path)
    }

    /// Removes a message.
    pub fn remove(&self, message: &MessageFile) -> io::Result<()> {
        match fs::remove_file(&message.path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    /// Moves a message to `cur/` with the given flag letters, and returns
    /// its new state.
    pub fn set_flags(&self, message: &MessageFile, flags: &str) -> io::Result<MessageFile> {
        let mut letters: Vec<char> = flags.chars().filter(char::is_ascii_alphabetic).collect();
        letters.sort_unstable();
        letters.dedup();
        let flags: String = letters.into_iter().collect();
        let path = self
            .root
            .join("cur")
            .join(format!("{}:2,{flags}", message.unique));
        if path != message.path {
            fs::rename(&message.path, &path)?;
        }
        Ok(MessageFile {
            path,
            flags,
            new: false,
            ..message.clone()
        })
    }
}

/// Whether `name` is usable as a Maildir++ folder: no path separators, no
/// leading dot, no `..`, no control characters.
pub fn valid_folder_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.ends_with('.')
        && !name.contains("..")
        && !name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
}

/// `SECONDS.MmicrosPpidQcounter.host`, unique within the host; the
/// microseconds have six digits, so names sort in delivery order.
fn unique_name() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let counter = COUNTER.fetch_add(1, Ordering::Relaxed);
    let host = fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().replace(['/', ':'], "_"))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!(
        "{}.M{:06}P{}Q{counter}.{host}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id()
    )
}
