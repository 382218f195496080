using System.Text.Json;
using XcsCt.Domain;
using XcsCt.Host.Serve;

namespace XcsCt.Host.Api;

/// <summary>
/// Turns refusals into JSON <see cref="ApiError"/>s with their status: <see cref="ApiException"/>,
/// <see cref="InputException"/> (400), bad HTTP requests (too large: 413, malformed: 400). Anything
/// else is logged and answered 500 without internals.
/// </summary>
public sealed class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> log)
{
    public async Task InvokeAsync(HttpContext http)
    {
        try
        {
            await next(http);
        }
        catch (ApiException e)
        {
            await WriteAsync(http, e.Status, e.Message, e.Problems);
        }
        catch (InputException e)
        {
            var api = ApiException.BadRequest(e);
            await WriteAsync(http, 400, api.Message, api.Problems);
        }
        catch (BadHttpRequestException e)
        {
            string message = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "the request body is larger than this node accepts"
                : $"bad request: {e.Message}";
            await WriteAsync(http, e.StatusCode, message, [message]);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer.
        }
        catch (Exception e)
        {
            log.LogError(e, "{Method} {Path} failed", http.Request.Method, http.Request.Path);
            await WriteAsync(http, 500, "internal error (see the node's log)", ["internal error"]);
        }
    }

    private static async Task WriteAsync(HttpContext http, int status, string message, IReadOnlyList<string> problems)
    {
        if (http.Response.HasStarted) return;
        http.Response.Clear();
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        if (status == 401) http.Response.Headers.WWWAuthenticate = "Bearer";
        await http.Response.WriteAsync(JsonSerializer.Serialize(new ApiError(status, message, problems), ApiJson.Options));
    }
}
