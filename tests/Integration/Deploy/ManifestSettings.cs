using Microsoft.Extensions.Configuration;
using XcsCt.Host.Serve;

namespace XcsCt.Integration.Deploy;

/// <summary>
/// Binds environment variables the way <c>xcsct serve</c> reads them (<c>XCSCT__A__B</c> is the
/// setting <c>Xcsct:A:B</c> of <see cref="ServeOptions"/>), except that a key naming no property of
/// the real options type is an error instead of being ignored.
/// </summary>
internal static class ManifestSettings
{
    public const string Prefix = "XCSCT__";

    /// <summary>Only the program's settings: variables starting with <see cref="Prefix"/>.</summary>
    public static Dictionary<string, string> ProgramVariables(IEnumerable<KeyValuePair<string, string>> environment) =>
        environment.Where(kv => kv.Key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The options these variables give over the defaults. Throws (naming the variable's key) when a
    /// variable maps to no setting, or its value does not convert to the setting's type.
    /// </summary>
    public static ServeOptions Bind(IEnumerable<KeyValuePair<string, string>> environment, string where)
    {
        var variables = ProgramVariables(environment);
        // The environment-variables configuration provider turns "__" into the section separator.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(variables.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ConfigurationPath.KeyDelimiter), kv.Value)))
            .Build();
        var options = new ServeOptions();
        try
        {
            configuration.GetSection(ServeOptions.Section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new Xunit.Sdk.XunitException($"{where}: {string.Join(", ", variables.Keys.Order())} do not all bind to the program's settings: {e.Message}");
        }
        return options;
    }

    /// <summary><see cref="ServeOptions.Validated"/> with the data roots (container paths) replaced by a directory that exists here.</summary>
    public static ServeOptions ValidatedHere(ServeOptions options, string where)
    {
        var roots = options.DataRoots;
        options.DataRoots = [Path.GetTempPath()];
        try
        {
            options.Validated();
            options.ClusterOptions().Validated();
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{where}: the program refuses these settings: {e.Message}");
        }
        finally
        {
            options.DataRoots = roots;
        }
        return options;
    }
}
