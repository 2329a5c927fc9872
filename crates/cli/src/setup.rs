//! Setting a partnership up from the command line, from an empty database:
//! `init` (the partnership, its districts and boundary), `agency
//! add|list|rename` and `user list|disable|enable|roles`. Every change is
//! made as the operator and audited with source `cli`.

use anyhow::{anyhow, bail, Context};
use safetynet_domain::areas::{read_areas, Level};
use safetynet_domain::geo::BoundingBox;
use safetynet_domain::partnership::{parse_name, Agency, AgencyCode, AgencyKind, Email, Partnership};
use safetynet_domain::policy::{ManageAgencies, ManageUsers, Principal};
use safetynet_domain::powers::Sector;
use safetynet_domain::role::Role;
use safetynet_store::users::Actor;
use safetynet_store::Store;
use std::path::PathBuf;

/// What `safetynet init` sets.
#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// The partnership's name, e.g. "St Albans City and District CSP".
    #[arg(long)]
    pub partnership: String,
    /// ONS code of a local authority district it covers (repeat for several), e.g. E07000240.
    #[arg(long = "lad", required = true)]
    pub lads: Vec<String>,
    /// The district boundary as GeoJSON (ONS); incidents outside it need a reason.
    #[arg(long)]
    pub boundary: Option<PathBuf>,
    /// Property holding each feature's ONS code in the boundary file.
    #[arg(long, default_value = "lad20cd")]
    pub code_field: String,
    /// Property holding each feature's name in the boundary file.
    #[arg(long, default_value = "lad20nm")]
    pub name_field: String,
}

/// True for an ONS local authority district code such as `E07000240`.
pub fn is_lad_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 9 && matches!(b[0], b'E' | b'W' | b'S' | b'N') && b[1..].iter().all(u8::is_ascii_digit)
}

fn operator_actor(operator: &Principal, now_ms: i64) -> Actor<'_> {
    Actor { principal: operator, at_ms: now_ms, source: "cli" }
}

/// Sets the partnership up: its name and districts, and (given a boundary
/// file) the district outline and the area incidents are checked against.
/// Running it again with the same values changes nothing; different values
/// for an initialised partnership are refused. Returns what it did, in words.
pub async fn init(store: &Store, args: &InitArgs, now_ms: i64) -> anyhow::Result<String> {
    let name = args.partnership.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        bail!("--partnership must be 1 to 200 characters");
    }
    let lads: Vec<String> = args.lads.iter().map(|l| l.trim().to_uppercase()).collect();
    if let Some(bad) = lads.iter().find(|l| !is_lad_code(l)) {
        bail!("--lad {bad} is not an ONS local authority district code (like E07000240)");
    }
    let areas = match &args.boundary {
        None => Vec::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            let (areas, problems) = read_areas(&text, &args.code_field, &args.name_field)
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
            if let Some(p) = problems.first() {
                bail!("{}: feature {}: {}", path.display(), p.0, p.1);
            }
            let areas: Vec<_> = areas.into_iter().filter(|a| lads.contains(&a.code)).collect();
            if areas.is_empty() {
                bail!(
                    "{} has no feature whose {} is {}: check --code-field",
                    path.display(),
                    args.code_field,
                    lads.join(" or ")
                );
            }
            areas
        }
    };
    let wanted = Partnership { name: name.clone(), lad_codes: lads.clone() };
    let operator = Principal::operator();
    let actor = operator_actor(&operator, now_ms);
    let mut done = Vec::new();
    match store.partnership().await? {
        Some(p) if p == wanted => done.push(format!("partnership already set up: {name} ({})", lads.join(", "))),
        Some(p) => bail!(
            "this database is already set up for {} ({}); init will not change it",
            p.name,
            p.lad_codes.join(", ")
        ),
        None => {
            store.set_partnership(&wanted, &actor).await?;
            done.push(format!("partnership set up: {name} ({})", lads.join(", ")));
        }
    }
    if !areas.is_empty() {
        let bbox = areas.iter().map(|a| a.shape.bbox()).fold(None, |acc: Option<BoundingBox>, (x0, y0, x1, y1)| {
            Some(match acc {
                None => BoundingBox { min_lon: x0, min_lat: y0, max_lon: x1, max_lat: y1 },
                Some(b) => BoundingBox {
                    min_lon: b.min_lon.min(x0),
                    min_lat: b.min_lat.min(y0),
                    max_lon: b.max_lon.max(x1),
                    max_lat: b.max_lat.max(y1),
                },
            })
        });
        store.save_areas(Level::Lad, &areas, &actor).await?;
        if let Some(b) = bbox {
            store.set_partnership_area(&b).await?;
        }
        done.push(format!("district boundary loaded ({} area(s))", areas.len()));
    }
    done.push("next: safetynet agency add, then safetynet user add".into());
    Ok(done.join("\n"))
}

/// Adds an agency; refuses a code that exists (rename it instead).
pub async fn agency_add(
    store: &Store,
    code: &str,
    name: &str,
    kind: &str,
    sector: Option<&str>,
    now_ms: i64,
) -> anyhow::Result<()> {
    let code = AgencyCode::parse(code)?;
    if store.agency(code.as_str()).await.is_ok() {
        bail!("agency {code} already exists: use safetynet agency rename");
    }
    let sector = sector.map(Sector::parse).transpose().map_err(anyhow::Error::msg)?;
    let agency = Agency { code, name: parse_name("name", name, 200)?, kind: AgencyKind::parse(kind)?, sector };
    let operator = Principal::operator();
    store.save_agency(&operator.permit::<ManageAgencies>()?, &agency, now_ms, "cli").await?;
    Ok(())
}

/// Takes residents' reports in `category`, routed to `agency`.
pub async fn public_route(
    store: &Store,
    category: &str,
    agency: &str,
    description: &str,
    now_ms: i64,
) -> anyhow::Result<()> {
    let operator = Principal::operator();
    let agency = AgencyCode::parse(agency)?.to_string();
    let permit = operator.permit::<ManageAgencies>()?;
    store
        .route_public_service(&permit, category.trim(), &agency, description, &operator_actor(&operator, now_ms))
        .await?;
    Ok(())
}

/// Stops taking residents' reports in `category`.
pub async fn public_unroute(store: &Store, category: &str, now_ms: i64) -> anyhow::Result<()> {
    let operator = Principal::operator();
    let permit = operator.permit::<ManageAgencies>()?;
    store.unroute_public_service(&permit, category.trim(), &operator_actor(&operator, now_ms)).await?;
    Ok(())
}

/// Registers an Open311 client; returns its key.
pub async fn open311_issue(store: &Store, name: &str, per_hour: i64, now_ms: i64) -> anyhow::Result<String> {
    let operator = Principal::operator();
    let permit = operator.permit::<ManageAgencies>()?;
    let (_, key) = store.issue_open311_client(&permit, name, per_hour, &operator_actor(&operator, now_ms)).await?;
    Ok(key)
}

/// Revokes an Open311 client's key.
pub async fn open311_revoke(store: &Store, name: &str, now_ms: i64) -> anyhow::Result<()> {
    let operator = Principal::operator();
    let permit = operator.permit::<ManageAgencies>()?;
    store.revoke_open311_client(&permit, name, &operator_actor(&operator, now_ms)).await?;
    Ok(())
}

/// Sets an agency's sector, which decides the enforcement powers it holds.
pub async fn agency_sector(store: &Store, code: &str, sector: &str, now_ms: i64) -> anyhow::Result<()> {
    let mut agency = store.agency(&AgencyCode::parse(code)?.to_string()).await?;
    agency.sector = Some(Sector::parse(sector).map_err(anyhow::Error::msg)?);
    let operator = Principal::operator();
    store.save_agency(&operator.permit::<ManageAgencies>()?, &agency, now_ms, "cli").await?;
    Ok(())
}

/// Renames an agency (its code and kind stay).
pub async fn agency_rename(store: &Store, code: &str, name: &str, now_ms: i64) -> anyhow::Result<()> {
    let mut agency = store.agency(&AgencyCode::parse(code)?.to_string()).await?;
    agency.name = parse_name("name", name, 200)?;
    let operator = Principal::operator();
    store.save_agency(&operator.permit::<ManageAgencies>()?, &agency, now_ms, "cli").await?;
    Ok(())
}

/// The agencies as a table.
pub async fn agency_list(store: &Store) -> anyhow::Result<String> {
    let mut out = format!("{:<16} {:<22} {:<17} {}\n", "CODE", "KIND", "SECTOR", "NAME");
    for a in store.agencies().await? {
        let sector = a.sector.map_or("(not set)", |s| s.as_str());
        out.push_str(&format!("{:<16} {:<22} {:<17} {}\n", a.code, a.kind.as_str(), sector, a.name));
    }
    Ok(out)
}

async fn user_id(store: &Store, email: &str) -> anyhow::Result<String> {
    let email = Email::parse(email)?;
    store.user_id_by_email(&email).await?.ok_or_else(|| anyhow!("no user with e-mail {email}"))
}

/// The users (of one agency, if given) as a table; audited as a view.
pub async fn user_list(store: &Store, agency: Option<&str>, now_ms: i64) -> anyhow::Result<String> {
    let operator = Principal::operator();
    let permit = operator.permit::<ManageUsers>()?;
    let users = store.list_users(&permit, agency, &operator_actor(&operator, now_ms)).await?;
    let mut out = format!("{:<40} {:<16} {:<8} {}\n", "E-MAIL", "AGENCY", "ACTIVE", "ROLES");
    for u in users {
        let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
        let active = if u.active { "yes" } else { "no" };
        out.push_str(&format!("{:<40} {:<16} {:<8} {}\n", u.email, u.agency, active, roles.join(",")));
    }
    Ok(out)
}

/// Enables or disables an account (disabling ends its sessions and tokens).
pub async fn user_set_active(store: &Store, email: &str, active: bool, now_ms: i64) -> anyhow::Result<()> {
    let id = user_id(store, email).await?;
    let operator = Principal::operator();
    let permit = operator.permit::<ManageUsers>()?;
    store.set_active(&permit, &id, active, &operator_actor(&operator, now_ms)).await?;
    Ok(())
}

/// Replaces an account's roles.
pub async fn user_set_roles(store: &Store, email: &str, roles: &[String], now_ms: i64) -> anyhow::Result<()> {
    let roles = roles.iter().map(|r| Role::parse(r)).collect::<Result<Vec<_>, _>>()?;
    let id = user_id(store, email).await?;
    let operator = Principal::operator();
    let permit = operator.permit::<ManageUsers>()?;
    store.set_roles(&permit, &id, &roles, &operator_actor(&operator, now_ms)).await?;
    Ok(())
}

/// Resets an account's two-step sign-in; audited.
pub async fn user_reset_mfa(store: &Store, email: &str, now_ms: i64) -> anyhow::Result<()> {
    let id = user_id(store, email).await?;
    let operator = Principal::operator();
    let permit = operator.permit::<ManageUsers>()?;
    store.reset_mfa(&permit, &id, &operator_actor(&operator, now_ms)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn lad_codes_are_ons_codes() {
        for ok in ["E07000240", "W06000015", "S12000036", "N09000003"] {
            assert!(super::is_lad_code(ok), "{ok}");
        }
        for bad in ["", "E0700024", "E070002400", "X07000240", "e07000240", "E07A00240"] {
            assert!(!super::is_lad_code(bad), "{bad}");
        }
    }
}
