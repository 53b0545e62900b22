//! Tidy tables of typed columns, for export: the store fills them, and writers turn them into CSV, Parquet or XLSX
//! with the same column names in every format.

/// The values of one column.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    Text(Vec<Option<String>>),
    Integer(Vec<Option<i64>>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Text(v) => v.len(),
            Values::Integer(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `row` as text (integers in decimal), `None` when missing.
    pub fn text(&self, row: usize) -> Option<String> {
        match self {
            Values::Text(v) => v[row].clone(),
            Values::Integer(v) => v[row].map(|n| n.to_string()),
        }
    }
}

/// One named column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: &'static str,
    pub values: Values,
}

/// A named table; every column has the same number of rows.
#[derive(Clone, Debug, PartialEq)]
pub struct DataTable {
    pub name: &'static str,
    pub columns: Vec<Column>,
}

impl DataTable {
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }
}
