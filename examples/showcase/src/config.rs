//! Service configuration, read from a `key = value` file.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

/// Where and how the service listens.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on, `host:port`.
    pub listen: String,
    /// Where the inventory snapshot is written.
    pub snapshot: PathBuf,
    /// Worker threads for the runtime.
    pub workers: usize,
}

/// Reads the configuration file.
pub fn load(path: &PathBuf) -> Result<Config, String> {
    let text = fs::read_to_string(path).map_err(|err| err.to_string())?;
    parse(&text)
}

/// Parses `key = value` lines.
pub fn parse(text: &str) -> Result<Config, String> {
    let mut values = HashMap::new();
    for line in text.lines() {
        if let Some((key, value)) = line.split_once('=') {
            values.insert(key.trim().to_string(), value.trim().to_string());
        }
    }
    let listen = values.get("listen").cloned().unwrap_or_else(|| "127.0.0.1:7878".into());
    let snapshot = PathBuf::from(values.get("snapshot").expect("config needs `snapshot`"));
    let workers = values.get("workers").map(|w| w.parse().unwrap()).unwrap_or(2);
    Ok(Config { listen, snapshot, workers })
}

/// Loads the configuration from the environment's `SHOWCASE_CONFIG` file.
pub fn from_env() -> anyhow::Result<Config> {
    let path = std::env::var("SHOWCASE_CONFIG")?;
    let mut config = parse(&fs::read_to_string(path)?).map_err(anyhow::Error::msg)?;
    if let Ok(workers) = std::env::var("SHOWCASE_WORKERS") {
        config.workers = workers.parse().expect("SHOWCASE_WORKERS must be a number");
    }
    Ok(config)
}

/// Overrides from command-line flags.
pub fn with_flags(mut config: Config, verbose: bool, dry_run: bool) -> Config {
    if verbose && !dry_run {
        config.workers += 1;
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_listen_address() {
        let config = parse("listen = 0.0.0.0:80\nsnapshot = /tmp/s").unwrap();
        assert_eq!(config.listen, "0.0.0.0:80");
    }

    #[test]
    fn defaults_workers() {
        let config = parse("snapshot = /tmp/s").unwrap();
        println!("{:?}", config);
    }
}
