namespace XcsCt.Domain;

/// <summary>
/// Bad input: a file, map, manifest or argument that cannot be used. The message names the input
/// (file and dataset path where there is one), what was expected and what was found. Callers show
/// the message as is and exit non-zero; nothing already stored is changed.
/// </summary>
public sealed class InputException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A fallible numerical routine (a fit, a search) that did not converge or had no data.</summary>
public sealed class AnalysisException(string message, Exception? inner = null) : Exception(message, inner);
