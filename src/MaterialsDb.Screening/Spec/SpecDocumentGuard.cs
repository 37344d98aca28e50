using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MaterialsDb.Screening.Spec;

/// <summary>
/// Bounds a spec before it is loaded into a YAML tree. The tree is built recursively, so a document nested tens of
/// thousands of levels deep overflows the stack, which .NET cannot catch; YamlDotNet's event parser is a state machine,
/// so walking its events first, and stopping at the first level too deep, is safe for any input.
/// </summary>
public static class SpecDocumentGuard
{
    /// <summary>
    /// Checks <paramref name="text"/>, then loads it and returns its root mapping; a document that is not YAML, or whose
    /// root is not a mapping, is a <see cref="SpecException"/> (<paramref name="notAMapping"/> says what it should be).
    /// </summary>
    public static YamlDotNet.RepresentationModel.YamlMappingNode LoadMapping(string text, string notAMapping)
    {
        ArgumentNullException.ThrowIfNull(text);
        Check(text);
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new SpecException([$"(document): not valid YAML or JSON at line {e.Start.Line}, column {e.Start.Column}: {e.Message}"]);
        }

        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlDotNet.RepresentationModel.YamlMappingNode root
            ? root
            : throw new SpecException([$"(document): {notAMapping}"]);
    }

    /// <summary>Throws a <see cref="SpecException"/> when the text is too long, too deep, too large, not one document, or uses aliases.</summary>
    public static void Check(string text)
    {
        if (text.Length > SpecParser.MaxLength)
        {
            throw Problem($"the spec is {text.Length:N0} characters long; the limit is {SpecParser.MaxLength:N0} (upload long candidate lists as a file)");
        }

        var parser = new Parser(new StringReader(text));
        int depth = 0, documents = 0, nodes = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case DocumentStart:
                        if (++documents > 1)
                        {
                            throw Problem($"a second YAML document starts at line {parser.Current.Start.Line}; a spec is exactly one document");
                        }

                        break;
                    case AnchorAlias alias:
                        throw Problem($"line {alias.Start.Line}: YAML aliases (*{alias.Value}) are not accepted in specs; write the value out");
                    case MappingStart or SequenceStart:
                        if (++depth > SpecParser.MaxDepth)
                        {
                            throw Problem($"line {parser.Current!.Start.Line}: nested deeper than {SpecParser.MaxDepth} levels; a spec is a few levels deep");
                        }

                        nodes++;
                        break;
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                    case Scalar:
                        nodes++;
                        break;
                }

                if (nodes > SpecParser.MaxNodes)
                {
                    throw Problem($"more than {SpecParser.MaxNodes:N0} values; upload long candidate lists as a file");
                }
            }
        }
        catch (YamlException e)
        {
            throw Problem($"not valid YAML or JSON at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
    }

    private static SpecException Problem(string message) => new([$"(document): {message}"]);
}
