/// SKUs are upper-case ASCII without spaces.
pub fn normalise_sku(raw: &str) -> String {
    raw.trim().to_ascii_uppercase().replace(' ', "-")
}

pub fn is_valid_sku(sku: &str) -> bool {
    !sku.is_empty() && sku.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}
