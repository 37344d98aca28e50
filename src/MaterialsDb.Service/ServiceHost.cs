using System.Threading.RateLimiting;
using Hangfire;
using Hangfire.PostgreSql;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Models.Packages;
using MaterialsDb.Service.Api;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Jobs;
using MaterialsDb.Service.Materials;
using MaterialsDb.Service.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MaterialsDb.Service;

/// <summary>
/// Builds the two kinds of node: the API node (<c>materialsdb serve</c>: REST API, dashboard and, unless
/// <see cref="ServiceOptions.Workers"/> is 0, local workers) and the worker node (<c>materialsdb worker</c>:
/// Hangfire workers only). Embedded mode (no PostgreSQL) keeps jobs and state in memory.
/// </summary>
public static class ServiceHost
{
    /// <summary>The API node. <paramref name="state"/> overrides the store (tests pre-create keys in it).</summary>
    public static WebApplication BuildServer(ServiceOptions options, DatasetStore datasets, ModelRegistry registry, IServiceStore? state = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        AddCore(builder.Services, options, datasets, registry, state);
        builder.Services.AddOpenApi("v1");
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetFixedWindowLimiter(
                http.Request.Headers[ApiKeys.Header].ToString() is { Length: > 0 } key ? "key:" + ApiKeys.Hash(key) : "ip:" + http.Connection.RemoteIpAddress,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.RequestsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            limiter.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(60);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.HttpContext.Response.WriteAsJsonAsync(new { error = "rate limit exceeded" }, ct).ConfigureAwait(false);
            };
        });
        if (options.Workers > 0)
        {
            AddWorkers(builder.Services, options);
        }

        var app = builder.Build();
        app.UseRateLimiter();
        app.UseMiddleware<ApiKeyMiddleware>();
        var api = app.MapGroup("/api/v1");
        ScreeningsApi.Map(api);
        CatalogApi.Map(api);
        app.MapOpenApi("/api/v1/openapi.json");
        app.UseHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [], AsyncAuthorization = [app.Services.GetRequiredService<DashboardAuthorization>()], IgnoreAntiforgeryToken = true });
        return app;
    }

    /// <summary>A worker node: Hangfire workers on the shared PostgreSQL queue, nothing else.</summary>
    public static IHost BuildWorker(ServiceOptions options, DatasetStore datasets, ModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Postgres is null)
        {
            throw new InvalidOptionException("A worker node needs --postgres: it shares the API node's queue through PostgreSQL.");
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        AddCore(builder.Services, options, datasets, registry, null);
        AddWorkers(builder.Services, options with { Workers = Math.Max(1, options.Workers) });
        return builder.Build();
    }

    /// <summary>Creates the store's tables (PostgreSQL) so that keys can be made before any node starts.</summary>
    public static async Task<IServiceStore> OpenStoreAsync(string postgres, CancellationToken cancellationToken = default)
    {
        var store = new PostgresStore(NpgsqlDataSource.Create(postgres));
        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        return store;
    }

    private static void AddCore(IServiceCollection services, ServiceOptions options, DatasetStore datasets, ModelRegistry registry, IServiceStore? state)
    {
        Directory.CreateDirectory(options.ResultsFolder);
        services.AddSingleton(options);
        services.AddSingleton(datasets);
        services.AddSingleton(registry);
        services.AddSingleton(sp => new ResourceCache(datasets, registry, sp.GetService<NpgsqlDataSource>()));
        services.AddSingleton<ResultPaths>();
        services.AddSingleton<PredictorCache>();
        services.AddSingleton<DashboardAuthorization>();
        services.AddTransient<ScreeningJobs>();
        if (options.Postgres is { } connection)
        {
            var dataSource = NpgsqlDataSource.Create(connection);
            services.AddSingleton(dataSource);
            var store = state ?? new PostgresStore(dataSource);
            store.InitializeAsync().GetAwaiter().GetResult();
            MaterialsDatabase.InitializeAsync(dataSource).GetAwaiter().GetResult();
            services.AddSingleton(store);
            services.AddSingleton<IMaterialsSource>(sp => new PostgresMaterials(dataSource, new ReferenceMaterials(datasets)));
            services.AddHangfire(c => c
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UsePostgreSqlStorage(p => p.UseNpgsqlConnection(connection), new PostgreSqlStorageOptions
                {
                    InvisibilityTimeout = options.InvisibilityTimeout,
                    QueuePollInterval = TimeSpan.FromMilliseconds(500),
                    PrepareSchemaIfNecessary = true,
                }));
        }
        else
        {
            services.AddSingleton(state ?? new MemoryStore());
            services.AddSingleton<IMaterialsSource>(new ReferenceMaterials(datasets));
            services.AddHangfire(c => c
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseInMemoryStorage());
        }
    }

    private static void AddWorkers(IServiceCollection services, ServiceOptions options) =>
        services.AddHangfireServer(o =>
        {
            o.WorkerCount = options.Workers;
            o.Queues = [.. options.Queues];
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
        });
}
