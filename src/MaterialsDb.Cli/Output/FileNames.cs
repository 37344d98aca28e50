namespace MaterialsDb.Cli.Output;

/// <summary>Default file and folder names made from user-given names.</summary>
internal static class FileNames
{
    /// <summary>
    /// <paramref name="name"/> with every character but ASCII letters, digits, '-', '_' and '.' replaced by '_'
    /// and a leading '.' by '_' (<paramref name="fallback"/> when nothing is left), so a spec's name never becomes a path.
    /// </summary>
    public static string Safe(string name, string fallback)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        if (chars.Length > 0 && chars[0] == '.')
        {
            chars[0] = '_'; // never "." or "..", nor a hidden file
        }

        return chars.Length == 0 ? fallback : new string(chars);
    }
}
