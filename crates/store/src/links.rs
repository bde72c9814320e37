//! Linked cases: one matter across case types (migration 0014). A case opened by a transition of
//! another case joins that case's matter; the matter's number is the number of its first case.

use fazhi_domain::CaseId;

use crate::db::{Db, DbRow, Tx, TxRow};
use crate::{Result, StoreError};

/// A case's place in its matter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkRow {
    pub case_id: CaseId,
    pub matter_number: String,
    pub parent_case_id: Option<CaseId>,
    /// The transition of the parent that opened this case.
    pub transition: Option<String>,
    pub linked_at: i64,
}

const LINK_COLS: &str = "case_id, matter_number, parent_case_id, transition, linked_at";

fn link_row(r: &impl DbRow) -> Result<LinkRow> {
    Ok(LinkRow {
        case_id: CaseId(r.col(0)?),
        matter_number: r.col(1)?,
        parent_case_id: r.col::<Option<i64>>(2)?.map(CaseId),
        transition: r.col(3)?,
        linked_at: r.col(4)?,
    })
}

/// Links `child` to the matter of `parent` (creating the matter, numbered after the parent, if
/// the parent has none). Returns the matter number.
pub async fn link(
    tx: &mut Tx,
    parent: CaseId,
    parent_number: &str,
    child: CaseId,
    transition: &str,
    at: i64,
) -> Result<String> {
    let existing = tx
        .fetch_optional(
            "SELECT matter_number FROM case_links WHERE case_id = $1",
            vec![parent.0.into()],
        )
        .await?;
    let matter: String = match existing {
        Some(r) => r.col(0)?,
        None => {
            tx.execute(
                "INSERT INTO case_links (case_id, matter_number, parent_case_id, transition, linked_at) \
                 VALUES ($1, $2, NULL, NULL, $3)",
                vec![parent.0.into(), parent_number.into(), at.into()],
            )
            .await?;
            parent_number.to_owned()
        }
    };
    tx.execute(
        "INSERT INTO case_links (case_id, matter_number, parent_case_id, transition, linked_at) \
         VALUES ($1, $2, $3, $4, $5)",
        vec![
            child.0.into(),
            matter.as_str().into(),
            parent.0.into(),
            transition.into(),
            at.into(),
        ],
    )
    .await?;
    Ok(matter)
}

/// Every case of the matter `case` belongs to, in the order they were linked (empty when the
/// case has no links).
pub async fn matter_of(db: &Db, case: CaseId) -> Result<Vec<LinkRow>> {
    let sql = format!(
        "SELECT {LINK_COLS} FROM case_links WHERE matter_number = \
         (SELECT matter_number FROM case_links WHERE case_id = $1) ORDER BY linked_at, case_id"
    );
    let mut parts = db.read(vec![(sql.as_str(), vec![case.0.into()])]).await?;
    let rows: Vec<TxRow> = parts
        .pop()
        .ok_or_else(|| StoreError::Corrupt("no result for the matter query".into()))?;
    rows.iter().map(link_row).collect()
}
