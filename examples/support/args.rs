//! A small command-line reader: `--name value` options (repeatable),
//! `--flag` switches, and a usage text printed with exit code 2 on misuse.

use std::collections::HashMap;
use std::process::exit;

/// Parsed command-line options.
#[derive(Debug)]
pub struct Args {
    usage: &'static str,
    values: HashMap<String, Vec<String>>,
    switches: Vec<String>,
}

impl Args {
    /// Reads `std::env::args()`. `options` names the flags that take a
    /// value, `switches` those that do not; anything else is a usage error.
    pub fn parse(usage: &'static str, options: &[&str], switches: &[&str]) -> Args {
        Self::parse_from(usage, options, switches, std::env::args().skip(1))
    }

    /// Reads the given arguments (the program name excluded).
    pub fn parse_from(
        usage: &'static str,
        options: &[&str],
        switches: &[&str],
        args: impl IntoIterator<Item = String>,
    ) -> Args {
        let mut parsed = Args {
            usage,
            values: HashMap::new(),
            switches: Vec::new(),
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "-h" || arg == "--help" {
                println!("{usage}");
                exit(0);
            }
            let Some(name) = arg.strip_prefix("--") else {
                parsed.fail(&format!("unexpected argument {arg:?}"));
            };
            let (name, inline) = match name.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (name, None),
            };
            if options.contains(&name) {
                let Some(value) = inline.or_else(|| args.next()) else {
                    parsed.fail(&format!("--{name} needs a value"));
                };
                parsed
                    .values
                    .entry(name.to_owned())
                    .or_default()
                    .push(value);
            } else if switches.contains(&name) && inline.is_none() {
                parsed.switches.push(name.to_owned());
            } else {
                parsed.fail(&format!("unknown option --{name}"));
            }
        }
        parsed
    }

    /// Prints `message` and the usage text, and exits with code 2.
    pub fn fail(&self, message: &str) -> ! {
        eprintln!("error: {message}\n\n{}", self.usage);
        exit(2)
    }

    /// The last value of `--name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// The value of `--name`, or a usage error.
    pub fn required(&self, name: &str) -> &str {
        self.get(name)
            .unwrap_or_else(|| self.fail(&format!("--{name} is required")))
    }

    /// Every value of a repeatable `--name`, in order.
    pub fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    /// Whether the switch `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }

    /// The value of `--name` parsed with `FromStr`, or `default`.
    pub fn parsed<T: std::str::FromStr>(&self, name: &str, default: T) -> T {
        match self.get(name) {
            None => default,
            Some(value) => value
                .parse()
                .unwrap_or_else(|_| self.fail(&format!("--{name}: cannot read {value:?}"))),
        }
    }

    /// A `NAME:PASS` pair given as `--name`, split at the first colon.
    pub fn credentials(&self, name: &str) -> Option<(String, String)> {
        let value = self.get(name)?;
        match value.split_once(':') {
            Some((user, pass)) if !user.is_empty() => Some((user.to_owned(), pass.to_owned())),
            _ => self.fail(&format!("--{name} takes NAME:PASS")),
        }
    }

    /// Every `NAME:PASS` pair given as a repeatable `--name`.
    pub fn all_credentials(&self, name: &str) -> Vec<(String, String)> {
        self.all(name)
            .iter()
            .map(|value| match value.split_once(':') {
                Some((user, pass)) if !user.is_empty() => (user.to_owned(), pass.to_owned()),
                _ => self.fail(&format!("--{name} takes NAME:PASS")),
            })
            .collect()
    }
}
