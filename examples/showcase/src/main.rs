use std::sync::Arc;

use showcase::inventory::Inventory;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = showcase::config::from_env()?;
    let listener = TcpListener::bind(&config.listen).await?;
    let inventory = Arc::new(Inventory::new());
    let log = showcase::server::audit_log();
    loop {
        let (stream, peer) = listener.accept().await?;
        log.send(format!("connection from {}", peer)).ok();
        if let Err(err) = showcase::server::handle(stream, Arc::clone(&inventory)).await {
            eprintln!("connection failed: {}", err);
        }
        let path = config.snapshot.display().to_string();
        showcase::server::save_in_background(Arc::clone(&inventory), path);
    }
}
