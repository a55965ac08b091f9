pub mod config;
pub mod inventory;
pub mod metrics;
pub mod server;
mod text;

pub use text::normalise_sku;

/// The service's name, as it appears in logs.
pub const SERVICE: &str = "showcase";

pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
