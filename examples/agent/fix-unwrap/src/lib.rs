//! Reads the `key = value` settings a small service starts with.

use std::fmt;

/// The settings a service starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The port to listen on.
    pub port: u16,
    /// How many workers to start.
    pub workers: usize,
}

/// Why a settings text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsError {
    /// The line (1-based) is not of the form `key = value`.
    MalformedLine(usize),
    /// A key that is not a setting.
    UnknownKey(String),
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MalformedLine(line) => write!(f, "line {line} is not `key = value`"),
            Self::UnknownKey(key) => write!(f, "unknown setting `{key}`"),
        }
    }
}

impl std::error::Error for SettingsError {}

/// Reads settings from `key = value` lines; blank lines and `#` comments are skipped, and
/// a setting that is not given keeps its default (port 8080, 4 workers).
///
/// # Errors
///
/// Returns an error for a line without `=` and for an unknown key.
pub fn parse_settings(text: &str) -> Result<Settings, SettingsError> {
    let mut settings = Settings {
        port: 8080,
        workers: 4,
    };
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or(SettingsError::MalformedLine(index + 1))?;
        match key.trim() {
            "port" => settings.port = value.trim().parse().unwrap(),
            "workers" => settings.workers = value.trim().parse().unwrap(),
            other => return Err(SettingsError::UnknownKey(other.to_string())),
        }
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_port_and_workers() {
        let settings = parse_settings("# the service\nport = 9000\nworkers = 2\n").unwrap();
        assert_eq!(
            settings,
            Settings {
                port: 9000,
                workers: 2
            }
        );
    }

    #[test]
    fn rejects_unknown_keys() {
        assert_eq!(
            parse_settings("colour = red"),
            Err(SettingsError::UnknownKey("colour".to_string()))
        );
    }
}
