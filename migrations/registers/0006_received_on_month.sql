-- The carriers received in a range of days, in registration order, answered month by month:
-- within one month this index is in `id` order, so a page of a year's range reads at most a
-- page of entries from each of its months instead of every entry of the range (see
-- `table::list`). The months are the first seven characters of the `YYYY-MM-DD` day.
CREATE INDEX documents_received_on_month ON documents(substr(received_on, 1, 7), id);
