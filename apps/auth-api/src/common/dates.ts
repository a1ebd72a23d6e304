/**
 * Appwrite's datetime format: ISO 8601 with milliseconds and an explicit offset,
 * `2020-10-15T06:38:00.000+00:00`. Empty datetimes are `""`.
 */
export function formatDate(date: Date | null | undefined): string {
  if (!date) return '';
  // toISOString() always ends in `Z` (UTC); slicing is cheaper than a regex on every date of every response
  return `${date.toISOString().slice(0, -1)}+00:00`;
}
