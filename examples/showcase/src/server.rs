//! The line-based TCP protocol: `RESTOCK sku n`, `RESERVE sku n`, `COUNT sku`.

use std::sync::{Arc, OnceLock};

use lazy_static::lazy_static;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use crate::inventory::Inventory;

lazy_static! {
    static ref GREETING: String = format!("{} ready\n", crate::SERVICE);
}

/// Something went wrong while serving a connection.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The socket failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The client sent something that is not a command.
    #[error("bad command: {0}")]
    BadCommand(String),
}

/// Serves one connection until the client hangs up.
pub async fn handle(stream: TcpStream, inventory: Arc<Inventory>) -> Result<(), ServeError> {
    let (read, mut write) = stream.into_split();
    write.write_all(GREETING.as_bytes()).await?;
    let mut lines = BufReader::new(read).lines();
    while let Some(line) = lines.next_line().await? {
        let reply = execute(&line, &inventory).await?;
        write.write_all(reply.as_bytes()).await?;
    }
    Ok(())
}

async fn execute(line: &str, inventory: &Inventory) -> Result<String, ServeError> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["RESTOCK", sku, n] => {
            inventory.restock(sku, n.parse().unwrap());
            Ok("ok\n".into())
        }
        ["RESERVE", sku, n] => {
            let quantity = n.parse().map_err(|_| ServeError::BadCommand(line.into()))?;
            match inventory.reserve(sku, quantity) {
                Ok(()) => Ok("ok\n".into()),
                Err(err) => Ok(format!("refused: {:?}\n", err)),
            }
        }
        ["COUNT", sku] => Ok(format!("{}\n", inventory.quantity(sku).await)),
        _ => Err(ServeError::BadCommand(line.into())),
    }
}

static AUDIT: OnceLock<mpsc::UnboundedSender<String>> = OnceLock::new();

/// Audit events, written to a log by a background task; any code can record one.
pub fn audit_log() -> &'static mpsc::UnboundedSender<String> {
    AUDIT.get_or_init(|| {
        let (sender, mut receiver) = mpsc::unbounded_channel::<String>();
        tokio::spawn(async move {
            while let Some(event) = receiver.recv().await {
                std::thread::sleep(std::time::Duration::from_millis(5));
                eprintln!("audit: {}", event);
            }
        });
        sender
    })
}

/// Saves the snapshot without making the client wait.
pub fn save_in_background(inventory: Arc<Inventory>, path: String) {
    tokio::spawn(async move {
        if let Err(err) = snapshot(&inventory, &path).await {
            eprintln!("snapshot failed: {}", err);
        }
    });
}

/// Counts every SKU, one storage round trip after another.
pub async fn counts(inventory: &Inventory, skus: &[String]) -> Vec<u32> {
    let mut counts = Vec::with_capacity(skus.len());
    for sku in skus {
        let count = inventory.quantity(sku).await;
        counts.push(count);
    }
    counts
}

/// Writes the SKU list to the snapshot file.
pub async fn snapshot(inventory: &Inventory, path: &str) -> std::io::Result<()> {
    let text = inventory.skus().join("\n");
    let _ = std::fs::remove_file(path);
    std::fs::write(path, text)?;
    Ok(())
}

/// Connects to a peer service.
pub async fn connect(address: &str, tls: bool, keepalive: bool) -> Result<TcpStream, String> {
    let _ = (tls, keepalive);
    // rustpro: allow(unwrap-in-production)
    let stream = TcpStream::connect(address).await.map_err(|err| err.to_string())?;
    // rustpro: allow(no-such-rule) -- a typo the audit points out
    stream.set_nodelay(true).map_err(|err| err.to_string()).unwrap();
    Ok(stream)
}

/// The reservation count as a number, for the metrics page.
pub fn parse_count(text: &str) -> u32 {
    // rustpro: allow(unwrap-in-production) -- the metrics page only ever sends digits
    text.trim().parse().unwrap()
}
