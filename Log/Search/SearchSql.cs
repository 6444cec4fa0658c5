using System.Text;

namespace RekorPosix.Log.Search;

/// <summary>
/// The query of a search, the same for SQLite and MySQL: rows are (key, index) with both as the
/// primary key. One key is a range scan of it; several are an IN list, with AND asking for as many
/// matching rows per index as there are keys (a row is unique, so that means all of them).
/// Parameters: <c>k0</c>… for the keys, <c>after</c>, <c>below</c>, <c>limit</c>.
/// </summary>
internal static class SearchSql
{
    public static string Select(string table, string key, string index, int keys, bool matchAll, char prefix)
    {
        var sql = new StringBuilder();
        sql.Append(keys > 1 && !matchAll ? "SELECT DISTINCT " : "SELECT ").Append(index).Append(" FROM ").Append(table).Append(" WHERE ").Append(key);
        if (keys == 1)
        {
            sql.Append(" = ").Append(prefix).Append("k0");
        }
        else
        {
            sql.Append(" IN (");
            for (int i = 0; i < keys; i++)
                sql.Append(i == 0 ? "" : ", ").Append(prefix).Append('k').Append(i);
            sql.Append(')');
        }
        sql.Append(" AND ").Append(index).Append(" > ").Append(prefix).Append("after AND ").Append(index).Append(" < ").Append(prefix).Append("below");
        if (keys > 1 && matchAll)
            sql.Append(" GROUP BY ").Append(index).Append(" HAVING COUNT(*) = ").Append(keys);
        sql.Append(" ORDER BY ").Append(index).Append(" LIMIT ").Append(prefix).Append("limit");
        return sql.ToString();
    }
}
