//! The storage of a result table: rows kept as typed columns (integers, floats, booleans, text, lists of integers),
//! filled by a serde `Serializer` that writes each row's fields straight into them.
//!
//! A national comparison has 174,558 rows; one `serde_json::Map` per row meant millions of small allocations (a key
//! and a value per field), and a sixth of the command's CPU time went to the kernel zeroing the pages they took.
//! Here a row costs a push per field into a vector that is already there. A column keeps one type while its values
//! have it and becomes a column of JSON values ([`Values::Json`]) the first time a value does not fit, so that any
//! serializable row is kept exactly as `serde_json` would have written it.

use std::collections::HashMap;
use std::fmt::Display;

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::Value;

/// One cell of a result table as the writers see it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TableCell<'a> {
    Null,
    Bool(bool),
    Integer(i64),
    /// Always finite (a float that is not is stored as null, as `serde_json` writes it).
    Float(f64),
    Text(&'a str),
    /// A list of integers, such as the counts of a survey item's scale steps.
    Integers(&'a [i64]),
    /// Anything else: an integer above `i64::MAX`, an object, a list that is not of integers.
    Json(&'a Value),
}

impl<'a> TableCell<'a> {
    /// The cell a JSON value stands for, with numbers, text and booleans as their own kinds.
    pub(crate) fn of_json(v: &'a Value) -> TableCell<'a> {
        match v {
            Value::Null => TableCell::Null,
            Value::Bool(b) => TableCell::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.is_f64()) {
                (Some(i), _) => TableCell::Integer(i),
                (None, true) => n.as_f64().map_or(TableCell::Null, TableCell::Float),
                (None, false) => TableCell::Json(v),
            },
            Value::String(s) => TableCell::Text(s),
            Value::Array(_) | Value::Object(_) => TableCell::Json(v),
        }
    }

    pub fn as_text(&self) -> Option<&'a str> {
        match self {
            TableCell::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, TableCell::Null)
    }

    /// The cell as a JSON value.
    pub fn to_value(&self) -> Value {
        match *self {
            TableCell::Null => Value::Null,
            TableCell::Bool(b) => Value::Bool(b),
            TableCell::Integer(i) => Value::from(i),
            TableCell::Float(x) => Value::from(x),
            TableCell::Text(s) => Value::String(s.to_string()),
            TableCell::Integers(v) => Value::Array(v.iter().map(|&i| Value::from(i)).collect()),
            TableCell::Json(v) => v.clone(),
        }
    }

    /// Appends the cell as `serde_json` writes it (compact).
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        // Writing into a Vec cannot fail.
        let _ = match *self {
            TableCell::Null => {
                out.extend_from_slice(b"null");
                Ok(())
            }
            TableCell::Bool(b) => {
                out.extend_from_slice(if b { b"true" } else { b"false" });
                Ok(())
            }
            TableCell::Integer(i) => serde_json::to_writer(&mut *out, &i),
            TableCell::Float(x) => serde_json::to_writer(&mut *out, &x),
            TableCell::Text(s) => serde_json::to_writer(&mut *out, s),
            TableCell::Integers(v) => serde_json::to_writer(&mut *out, v),
            TableCell::Json(v) => serde_json::to_writer(&mut *out, v),
        };
    }
}

/// A column's values, one per row (a null row holds a placeholder, see [`Column::valid`]).
#[derive(Clone, Debug, PartialEq)]
enum Values {
    /// Every cell so far is null.
    Null,
    Bool(Vec<bool>),
    Integer(Vec<i64>),
    Float(Vec<f64>),
    /// The texts one after another, and where each ends.
    Text {
        text: String,
        ends: Vec<usize>,
    },
    /// The lists' integers one after another, and where each list ends.
    Integers {
        values: Vec<i64>,
        ends: Vec<usize>,
    },
    Json(Vec<Value>),
}

/// The cells of one field.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Column {
    /// Whether each row's cell is a value (`false`: null, or a field the row does not have).
    valid: Vec<bool>,
    values: Values,
}

impl Column {
    fn new() -> Column {
        Column {
            valid: Vec::new(),
            values: Values::Null,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.valid.len()
    }

    pub(crate) fn cell(&self, row: usize) -> TableCell<'_> {
        if !self.valid[row] {
            return TableCell::Null;
        }
        let span = |ends: &[usize]| (if row == 0 { 0 } else { ends[row - 1] })..ends[row];
        match &self.values {
            Values::Null => TableCell::Null,
            Values::Bool(v) => TableCell::Bool(v[row]),
            Values::Integer(v) => TableCell::Integer(v[row]),
            Values::Float(v) => TableCell::Float(v[row]),
            Values::Text { text, ends } => TableCell::Text(&text[span(ends)]),
            Values::Integers { values, ends } => TableCell::Integers(&values[span(ends)]),
            Values::Json(v) => TableCell::of_json(&v[row]),
        }
    }

    fn pad_to(&mut self, rows: usize) {
        while self.len() < rows {
            self.push_null();
        }
    }

    fn truncate(&mut self, rows: usize) {
        self.valid.truncate(rows);
        match &mut self.values {
            Values::Null => {}
            Values::Bool(v) => v.truncate(rows),
            Values::Integer(v) => v.truncate(rows),
            Values::Float(v) => v.truncate(rows),
            Values::Text { text, ends } => {
                ends.truncate(rows);
                text.truncate(ends.last().copied().unwrap_or(0));
            }
            Values::Integers { values, ends } => {
                ends.truncate(rows);
                values.truncate(ends.last().copied().unwrap_or(0));
            }
            Values::Json(v) => v.truncate(rows),
        }
    }

    pub(crate) fn push_null(&mut self) {
        self.valid.push(false);
        match &mut self.values {
            Values::Null => {}
            Values::Bool(v) => v.push(false),
            Values::Integer(v) => v.push(0),
            Values::Float(v) => v.push(0.0),
            Values::Text { text, ends } => ends.push(text.len()),
            Values::Integers { values, ends } => ends.push(values.len()),
            Values::Json(v) => v.push(Value::Null),
        }
    }

    /// Gives a column that has held only nulls the type of its first value, with placeholders for those nulls.
    fn start(&mut self, typed: impl FnOnce(usize) -> Values) {
        if self.values == Values::Null {
            self.values = typed(self.len());
        }
    }

    fn push_bool(&mut self, b: bool) {
        self.start(|n| Values::Bool(vec![false; n]));
        match &mut self.values {
            Values::Bool(v) => {
                v.push(b);
                self.valid.push(true);
            }
            _ => self.push_value(Value::Bool(b)),
        }
    }

    fn push_i64(&mut self, i: i64) {
        self.start(|n| Values::Integer(vec![0; n]));
        match &mut self.values {
            Values::Integer(v) => {
                v.push(i);
                self.valid.push(true);
            }
            _ => self.push_value(Value::from(i)),
        }
    }

    fn push_u64(&mut self, u: u64) {
        match i64::try_from(u) {
            Ok(i) => self.push_i64(i),
            Err(_) => self.push_value(Value::from(u)),
        }
    }

    fn push_f64(&mut self, x: f64) {
        // serde_json writes a float that is not finite as null.
        if !x.is_finite() {
            return self.push_null();
        }
        self.start(|n| Values::Float(vec![0.0; n]));
        match &mut self.values {
            Values::Float(v) => {
                v.push(x);
                self.valid.push(true);
            }
            _ => self.push_value(Value::from(x)),
        }
    }

    pub(crate) fn push_str(&mut self, s: &str) {
        self.start(|n| Values::Text {
            text: String::new(),
            ends: vec![0; n],
        });
        match &mut self.values {
            Values::Text { text, ends } => {
                text.push_str(s);
                ends.push(text.len());
                self.valid.push(true);
            }
            _ => self.push_value(Value::String(s.to_string())),
        }
    }

    fn push_integers(&mut self, list: &[i64]) {
        self.start(|n| Values::Integers {
            values: Vec::new(),
            ends: vec![0; n],
        });
        match &mut self.values {
            Values::Integers { values, ends } => {
                values.extend_from_slice(list);
                ends.push(values.len());
                self.valid.push(true);
            }
            _ => self.push_value(Value::Array(list.iter().map(|&i| Value::from(i)).collect())),
        }
    }

    /// Pushes any JSON value, turning the column into one of JSON values first.
    fn push_value(&mut self, v: Value) {
        if !matches!(self.values, Values::Json(_)) {
            let values = (0..self.len()).map(|row| self.cell(row).to_value()).collect();
            self.values = Values::Json(values);
        }
        if let Values::Json(values) = &mut self.values {
            self.valid.push(!v.is_null());
            values.push(v);
        }
    }

    pub(crate) fn push_cell(&mut self, cell: TableCell<'_>) {
        match cell {
            TableCell::Null => self.push_null(),
            TableCell::Bool(b) => self.push_bool(b),
            TableCell::Integer(i) => self.push_i64(i),
            TableCell::Float(x) => self.push_f64(x),
            TableCell::Text(s) => self.push_str(s),
            TableCell::Integers(v) => self.push_integers(v),
            TableCell::Json(v) => self.push_value(v.clone()),
        }
    }
}

/// Consecutive rows of a table, as columns: the fields these rows have, and each row's fields in its own order (its
/// "shape"), so that the table's columns come out in first-seen order and a table split by kind has only its rows'
/// fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Segment {
    pub(crate) names: Vec<String>,
    pub(crate) columns: Vec<Column>,
    /// Distinct shapes in first-seen order: indices into `names`.
    pub(crate) shapes: Vec<Vec<u32>>,
    pub(crate) row_shapes: Vec<u32>,
}

impl Segment {
    pub(crate) fn rows(&self) -> usize {
        self.row_shapes.len()
    }

    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The row's fields in its own order.
    pub(crate) fn fields(&self, row: usize) -> impl Iterator<Item = (&str, TableCell<'_>)> {
        self.shapes[self.row_shapes[row] as usize]
            .iter()
            .map(move |&c| (self.names[c as usize].as_str(), self.columns[c as usize].cell(row)))
    }

    /// The row's field `name`; `None` when it does not have it.
    pub(crate) fn field(&self, row: usize, name: &str) -> Option<TableCell<'_>> {
        let c = self.position(name)?;
        self.shapes[self.row_shapes[row] as usize]
            .contains(&(c as u32))
            .then(|| self.columns[c].cell(row))
    }
}

/// Builds a [`Segment`] a row at a time: [`SegmentBuilder::column`] for each field, then [`SegmentBuilder::end_row`].
#[derive(Default)]
pub(crate) struct SegmentBuilder {
    segment: Segment,
    shape_index: HashMap<Vec<u32>, u32>,
    current: Vec<u32>,
    last: Option<u32>,
}

impl SegmentBuilder {
    /// The column to push the current row's field `name` into. A field given twice in a row keeps its first place
    /// and its last value, as inserting into a `serde_json::Map` does.
    pub(crate) fn column(&mut self, name: &str) -> &mut Column {
        let row = self.segment.rows();
        // Rows of one type name their fields in the same order: try the previous row's field at this place first.
        let guess = self
            .last
            .and_then(|s| self.segment.shapes[s as usize].get(self.current.len()))
            .map(|&c| c as usize)
            .filter(|&c| self.segment.names[c] == name);
        let c = match guess.or_else(|| self.segment.position(name)) {
            Some(c) => c,
            None => {
                self.segment.names.push(name.to_string());
                self.segment.columns.push(Column::new());
                self.segment.names.len() - 1
            }
        };
        let column = &mut self.segment.columns[c];
        if column.len() > row {
            column.truncate(row);
        } else {
            column.pad_to(row);
            self.current.push(c as u32);
        }
        column
    }

    pub(crate) fn end_row(&mut self) {
        let id = match self.last {
            Some(s) if self.segment.shapes[s as usize] == self.current => s,
            _ => match self.shape_index.get(&self.current) {
                Some(&s) => s,
                None => {
                    let s = self.segment.shapes.len() as u32;
                    self.segment.shapes.push(self.current.clone());
                    self.shape_index.insert(self.current.clone(), s);
                    s
                }
            },
        };
        self.segment.row_shapes.push(id);
        self.last = Some(id);
        self.current.clear();
    }

    /// Pushes the fields of a serializable row (a struct or a map) and ends the row.
    pub(crate) fn push_row<T: Serialize + ?Sized>(&mut self, row: &T) -> Result<(), RowError> {
        row.serialize(RowSerializer { builder: self })?;
        self.end_row();
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Segment {
        let rows = self.segment.rows();
        for c in &mut self.segment.columns {
            c.pad_to(rows);
        }
        self.segment
    }
}

/// Why a row could not be taken apart into fields.
#[derive(Debug)]
pub(crate) struct RowError(pub(crate) String);

impl Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RowError {}

impl ser::Error for RowError {
    fn custom<T: Display>(msg: T) -> RowError {
        RowError(msg.to_string())
    }
}

fn not_a_record() -> RowError {
    RowError("a result row is not a record".into())
}

fn json_error(e: serde_json::Error) -> RowError {
    RowError(e.to_string())
}

/// Serializes a row: a struct or a map, whose fields go to their columns.
struct RowSerializer<'b> {
    builder: &'b mut SegmentBuilder,
}

macro_rules! refuse {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<(), RowError> {
            Err(not_a_record())
        })*
    };
}

impl<'b> ser::Serializer for RowSerializer<'b> {
    type Ok = ();
    type Error = RowError;
    type SerializeSeq = Impossible<(), RowError>;
    type SerializeTuple = Impossible<(), RowError>;
    type SerializeTupleStruct = Impossible<(), RowError>;
    type SerializeTupleVariant = Impossible<(), RowError>;
    type SerializeMap = MapRow<'b>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), RowError>;

    refuse!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), RowError> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), RowError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), RowError> {
        Err(not_a_record())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, RowError> {
        Err(not_a_record())
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, RowError> {
        Err(not_a_record())
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, RowError> {
        Err(not_a_record())
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, RowError> {
        Err(not_a_record())
    }

    fn serialize_map(self, _: Option<usize>) -> Result<MapRow<'b>, RowError> {
        Ok(MapRow {
            builder: self.builder,
            key: None,
        })
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, RowError> {
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, RowError> {
        Err(not_a_record())
    }
}

impl ser::SerializeStruct for RowSerializer<'_> {
    type Ok = ();
    type Error = RowError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), RowError> {
        value.serialize(CellSerializer {
            column: self.builder.column(key),
        })
    }

    fn end(self) -> Result<(), RowError> {
        Ok(())
    }
}

/// A row given as a map (e.g. a `serde_json::Map` read back from a stored run).
struct MapRow<'b> {
    builder: &'b mut SegmentBuilder,
    key: Option<String>,
}

impl ser::SerializeMap for MapRow<'_> {
    type Ok = ();
    type Error = RowError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), RowError> {
        // As serde_json takes keys: text, or numbers and booleans written as text.
        self.key = Some(match serde_json::to_value(key).map_err(json_error)? {
            Value::String(s) => s,
            v @ (Value::Number(_) | Value::Bool(_)) => v.to_string(),
            _ => return Err(RowError("a field name of a result row is not text".into())),
        });
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RowError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| RowError("a value without a field name".into()))?;
        value.serialize(CellSerializer {
            column: self.builder.column(&key),
        })
    }

    fn end(self) -> Result<(), RowError> {
        Ok(())
    }
}

/// Serializes one field's value into its column.
struct CellSerializer<'c> {
    column: &'c mut Column,
}

type JsonSerializer = serde_json::value::Serializer;

impl<'c> ser::Serializer for CellSerializer<'c> {
    type Ok = ();
    type Error = RowError;
    type SerializeSeq = ListCell<'c>;
    type SerializeTuple = ListCell<'c>;
    type SerializeTupleStruct = ListCell<'c>;
    type SerializeTupleVariant = Nested<'c, <JsonSerializer as ser::Serializer>::SerializeTupleVariant>;
    type SerializeMap = Nested<'c, <JsonSerializer as ser::Serializer>::SerializeMap>;
    type SerializeStruct = Nested<'c, <JsonSerializer as ser::Serializer>::SerializeStruct>;
    type SerializeStructVariant = Nested<'c, <JsonSerializer as ser::Serializer>::SerializeStructVariant>;

    fn serialize_bool(self, v: bool) -> Result<(), RowError> {
        self.column.push_bool(v);
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), RowError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), RowError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), RowError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), RowError> {
        self.column.push_i64(v);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), RowError> {
        if let Ok(i) = i64::try_from(v) {
            self.column.push_i64(i);
        } else if let Ok(u) = u64::try_from(v) {
            self.column.push_u64(u);
        } else {
            return Err(RowError(format!("the number {v} is out of range")));
        }
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), RowError> {
        self.serialize_i64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), RowError> {
        self.serialize_i64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), RowError> {
        self.serialize_i64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), RowError> {
        self.column.push_u64(v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), RowError> {
        match u64::try_from(v) {
            Ok(u) => self.serialize_u64(u),
            Err(_) => Err(RowError(format!("the number {v} is out of range"))),
        }
    }

    fn serialize_f32(self, v: f32) -> Result<(), RowError> {
        // As serde_json's values hold it: widened to f64.
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<(), RowError> {
        self.column.push_f64(v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), RowError> {
        self.column.push_str(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), RowError> {
        self.column.push_str(v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), RowError> {
        let list: Vec<i64> = v.iter().map(|&b| b.into()).collect();
        self.column.push_integers(&list);
        Ok(())
    }

    fn serialize_none(self) -> Result<(), RowError> {
        self.column.push_null();
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), RowError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), RowError> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), RowError> {
        self.serialize_none()
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), RowError> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), RowError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), RowError> {
        let v = ser::Serializer::serialize_newtype_variant(JsonSerializer {}, name, index, variant, value)
            .map_err(json_error)?;
        self.column.push_value(v);
        Ok(())
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<ListCell<'c>, RowError> {
        Ok(ListCell {
            column: self.column,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<ListCell<'c>, RowError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<ListCell<'c>, RowError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, RowError> {
        Ok(Nested {
            column: self.column,
            inner: ser::Serializer::serialize_tuple_variant(JsonSerializer {}, name, index, variant, len)
                .map_err(json_error)?,
        })
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, RowError> {
        Ok(Nested {
            column: self.column,
            inner: ser::Serializer::serialize_map(JsonSerializer {}, len).map_err(json_error)?,
        })
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Self::SerializeStruct, RowError> {
        Ok(Nested {
            column: self.column,
            inner: ser::Serializer::serialize_struct(JsonSerializer {}, name, len).map_err(json_error)?,
        })
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, RowError> {
        Ok(Nested {
            column: self.column,
            inner: ser::Serializer::serialize_struct_variant(JsonSerializer {}, name, index, variant, len)
                .map_err(json_error)?,
        })
    }
}

/// A list in a field: kept as a list of integers when every element is one, otherwise as a JSON array.
struct ListCell<'c> {
    column: &'c mut Column,
    items: Vec<Value>,
}

impl ListCell<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RowError> {
        self.items.push(serde_json::to_value(value).map_err(json_error)?);
        Ok(())
    }

    fn finish(self) -> Result<(), RowError> {
        let integers: Option<Vec<i64>> = self.items.iter().map(Value::as_i64).collect();
        match integers {
            Some(list) => self.column.push_integers(&list),
            None => self.column.push_value(Value::Array(self.items)),
        }
        Ok(())
    }
}

impl ser::SerializeSeq for ListCell<'_> {
    type Ok = ();
    type Error = RowError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RowError> {
        self.push(value)
    }

    fn end(self) -> Result<(), RowError> {
        self.finish()
    }
}

impl ser::SerializeTuple for ListCell<'_> {
    type Ok = ();
    type Error = RowError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RowError> {
        self.push(value)
    }

    fn end(self) -> Result<(), RowError> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for ListCell<'_> {
    type Ok = ();
    type Error = RowError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RowError> {
        self.push(value)
    }

    fn end(self) -> Result<(), RowError> {
        self.finish()
    }
}

/// An object (or an enum variant with data) in a field, made into a JSON value by serde_json's own serializer.
struct Nested<'c, S> {
    column: &'c mut Column,
    inner: S,
}

impl<S> Nested<'_, S> {
    fn finish(self, end: impl FnOnce(S) -> Result<Value, serde_json::Error>) -> Result<(), RowError> {
        let value = end(self.inner).map_err(json_error)?;
        self.column.push_value(value);
        Ok(())
    }
}

impl<S: ser::SerializeMap<Ok = Value, Error = serde_json::Error>> ser::SerializeMap for Nested<'_, S> {
    type Ok = ();
    type Error = RowError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), RowError> {
        self.inner.serialize_key(key).map_err(json_error)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RowError> {
        self.inner.serialize_value(value).map_err(json_error)
    }

    fn end(self) -> Result<(), RowError> {
        self.finish(S::end)
    }
}

impl<S: ser::SerializeStruct<Ok = Value, Error = serde_json::Error>> ser::SerializeStruct for Nested<'_, S> {
    type Ok = ();
    type Error = RowError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), RowError> {
        self.inner.serialize_field(key, value).map_err(json_error)
    }

    fn end(self) -> Result<(), RowError> {
        self.finish(S::end)
    }
}

impl<S: ser::SerializeTupleVariant<Ok = Value, Error = serde_json::Error>> ser::SerializeTupleVariant
    for Nested<'_, S>
{
    type Ok = ();
    type Error = RowError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RowError> {
        self.inner.serialize_field(value).map_err(json_error)
    }

    fn end(self) -> Result<(), RowError> {
        self.finish(S::end)
    }
}

impl<S: ser::SerializeStructVariant<Ok = Value, Error = serde_json::Error>> ser::SerializeStructVariant
    for Nested<'_, S>
{
    type Ok = ();
    type Error = RowError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), RowError> {
        self.inner.serialize_field(key, value).map_err(json_error)
    }

    fn end(self) -> Result<(), RowError> {
        self.finish(S::end)
    }
}
