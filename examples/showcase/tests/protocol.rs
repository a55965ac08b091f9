use std::sync::Arc;

use showcase::inventory::{Inventory, Item};

#[test]
fn labels_every_item() {
    let items = vec![Item { sku: "A".into(), quantity: 2 }];
    assert_eq!(showcase::inventory::labels(&items), vec!["A x2".to_string()]);
}

#[tokio::test]
async fn counts_after_restock() {
    let inventory = Arc::new(Inventory::new());
    inventory.restock("A", 3);
    let counts = showcase::server::counts(&inventory, &["A".to_string()]).await;
    assert_eq!(counts, vec![3]);
}

#[test]
fn normalises_skus() {
    let sku = showcase::normalise_sku(" ab c ");
    println!("{}", sku);
}
