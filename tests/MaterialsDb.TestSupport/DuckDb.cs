using DuckDB.NET.Data;

namespace MaterialsDb.TestSupport;

/// <summary>DuckDB, an in-process SQL engine that reads Parquet and CSV, as a third-party reader of our files.</summary>
public static class DuckDb
{
    /// <summary>The rows of a query, each as an array of values (DBNull for SQL NULL).</summary>
    public static IReadOnlyList<object[]> Rows(string sql)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object[]>();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The first value of a query.</summary>
    public static object Scalar(string sql) => Rows(sql)[0][0];

    /// <summary>A file path as a SQL string literal.</summary>
    public static string Literal(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";
}
