//! Documentation that must stay true: the permission matrix in
//! docs/permissions.md is the one the policy layer enforces.

use safetynet_domain::policy::MATRIX;
use safetynet_domain::role::Role;

/// The matrix as a Markdown table, generated from the policy.
fn matrix_table() -> String {
    let mut t = String::from("| Capability |");
    for r in Role::ALL {
        t.push_str(&format!(" {} |", r.label()));
    }
    t.push_str("\n|---|");
    for _ in Role::ALL {
        t.push_str(":---:|");
    }
    for (name, roles) in MATRIX {
        t.push_str(&format!("\n| {name} |"));
        for r in Role::ALL {
            t.push_str(if roles.contains(&r) { " yes |" } else { " no |" });
        }
    }
    t
}

#[test]
fn permissions_doc_matches_the_policy() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/permissions.md");
    let doc = std::fs::read_to_string(&path).expect("docs/permissions.md");
    let table = matrix_table();
    assert!(doc.contains(&table), "docs/permissions.md is out of date; its table must read:\n\n{table}\n");
}
