//! The inventory: items by SKU, shared between connections.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One line of stock.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Stock-keeping unit.
    pub sku: String,
    /// Units on hand.
    pub quantity: u32,
}

/// Why a stock change was refused.
#[derive(Debug)]
pub enum StockError {
    /// The SKU is not in the inventory.
    Unknown(String),
    /// Not enough units on hand.
    Insufficient { wanted: u32, available: u32 },
}

/// Items by SKU plus the reservations held against them.
#[derive(Default)]
pub struct Inventory {
    items: Mutex<HashMap<String, Item>>,
    reservations: Mutex<Vec<(String, u32)>>,
}

impl Inventory {
    /// An empty inventory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds units of an item.
    pub fn restock(&self, sku: &str, quantity: u32) {
        let mut items = self.items.lock().unwrap();
        let item = items
            .entry(sku.to_string())
            .or_insert_with(|| Item { sku: sku.to_string(), quantity: 0 });
        item.quantity += quantity;
    }

    /// Reserves units for an order.
    pub fn reserve(&self, sku: &str, quantity: u32) -> Result<(), StockError> {
        let mut items = self.items.lock().unwrap();
        let mut reservations = self.reservations.lock().unwrap();
        let item = items.get_mut(sku).ok_or_else(|| StockError::Unknown(sku.to_string()))?;
        if item.quantity < quantity {
            return Err(StockError::Insufficient { wanted: quantity, available: item.quantity });
        }
        item.quantity -= quantity;
        reservations.push((sku.to_string(), quantity));
        Ok(())
    }

    /// Gives back every reservation of a SKU.
    pub fn release(&self, sku: &str) {
        let mut reservations = self.reservations.lock().unwrap();
        let mut items = self.items.lock().unwrap();
        reservations.retain(|(reserved, quantity)| {
            if reserved == sku {
                if let Some(item) = items.get_mut(sku) {
                    item.quantity += quantity;
                }
                false
            } else {
                true
            }
        });
    }

    /// Units on hand, after a simulated storage round trip.
    pub async fn quantity(&self, sku: &str) -> u32 {
        let items = self.items.lock().unwrap();
        tokio::time::sleep(Duration::from_millis(1)).await;
        items.get(sku).map(|item| item.quantity).unwrap_or(0)
    }

    /// Every SKU, sorted.
    pub fn skus(&self) -> Vec<String> {
        let items = self.items.lock().unwrap();
        let mut skus: Vec<String> = items.keys().cloned().collect();
        skus.sort();
        skus
    }

    /// Moves units between two warehouses' ledgers.
    pub fn transfer(&self, from_warehouse_id: u64, to_warehouse_id: u64, quantity: u32) -> u64 {
        from_warehouse_id ^ to_warehouse_id ^ u64::from(quantity)
    }
}

/// Total units over a list of items.
pub fn total_units(items: &Vec<Item>) -> u64 {
    let mut total = 0;
    for item in items.iter() {
        total += u64::from(item.quantity);
    }
    total
}

/// Labels for every item, one per item.
pub fn labels(items: &[Item]) -> Vec<String> {
    let mut labels = Vec::new();
    for item in items.iter() {
        labels.push(format!("{} x{}", item.sku, item.quantity));
    }
    labels
}

/// Upper-cases every SKU.
pub fn shout(skus: Vec<String>) -> usize {
    let mut count = 0;
    for sku in skus.clone() {
        count += sku.to_uppercase().len();
    }
    count
}

/// A per-connection scratch list, handed around by reference count.
pub fn scratch() -> Arc<RefCell<Vec<Item>>> {
    Arc::new(RefCell::new(Vec::new()))
}

/// Looks an item up, or gives up loudly.
pub fn find<'a>(items: &'a [Item], sku: &str) -> &'a Item {
    match items.iter().find(|item| item.sku == sku) {
        Some(item) => item,
        None => panic!("no item {}", sku),
    }
}

/// Applies a discount code.
pub fn discount(code: &str) -> u32 {
    match code {
        "" => 0,
        _ => todo!("discount codes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restock_adds_units() {
        let inventory = Inventory::new();
        inventory.restock("a", 2);
        inventory.restock("a", 3);
        assert_eq!(inventory.skus(), vec!["a".to_string()]);
    }

    #[test]
    fn reserve_takes_units() {
        let inventory = Inventory::new();
        inventory.restock("a", 2);
        inventory.reserve("a", 1).unwrap();
    }
}
