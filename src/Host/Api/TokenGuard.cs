using System.Security.Cryptography;
using System.Text;
using XcsCt.Host.Serve;

namespace XcsCt.Host.Api;

/// <summary>
/// Lets a mutating call through only with <c>Authorization: Bearer &lt;token&gt;</c> when the node has a
/// token. The comparison takes the same time whatever the tokens (hashes of both, compared in
/// constant time), so response timing tells nothing about the token.
/// </summary>
public sealed class TokenGuard(string? token) : IEndpointFilter
{
    private readonly byte[]? _expected = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_expected is null || Allows(context.HttpContext.Request.Headers.Authorization.ToString())) return next(context);
        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        throw new ApiException(StatusCodes.Status401Unauthorized, "this call needs Authorization: Bearer <token> (the node's token)");
    }

    /// <summary>True when <paramref name="header"/> is <c>Bearer</c> followed by the node's token.</summary>
    public bool Allows(string? header)
    {
        if (_expected is null) return true;
        const string scheme = "Bearer ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, _expected);
    }
}
