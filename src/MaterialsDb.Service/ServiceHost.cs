using System.Text.Json;
using System.Text.Json.Serialization;
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
using MaterialsDb.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Scalar.AspNetCore;

namespace MaterialsDb.Service;

/// <summary>
/// Builds the two kinds of node: the API node (<c>materialsdb serve</c>: REST API, sign-in, API reference, dashboard
/// and, unless <see cref="ServiceOptions.Workers"/> is 0, local workers) and the worker node (<c>materialsdb worker</c>:
/// Hangfire workers only). Embedded mode (no PostgreSQL) keeps jobs and state in memory. Both run the sweeper.
/// </summary>
public static class ServiceHost
{
    /// <summary>The API node. <paramref name="state"/> overrides the store (tests pre-create keys in it).</summary>
    /// <exception cref="InvalidOptionException">The options are out of range.</exception>
    public static WebApplication BuildServer(ServiceOptions options, DatasetStore datasets, ModelRegistry registry, IServiceStore? state = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // The session key ring is kept unencrypted in the results folder (see docs/service.md); saying so on every start is noise.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        AddCore(builder.Services, options, datasets, registry, state);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;

            // Numbers are numbers: the web default also accepts them as strings, which the OpenAPI schemas would then allow too.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });

        // Malformed bodies and parameters throw, so that the exception handler answers them as problem details.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblems();
        builder.Services.AddMaterialsDbAuth(options);
        builder.Services.AddRateLimiter(limiter => ConfigureRateLimits(limiter, options));
        builder.Services.AddApiDocument();
        if (options.Workers > 0)
        {
            AddWorkers(builder.Services, options);
        }

        // Scripts and JSON compress well (Plotly: 4.8 MB → 1.4 MB); not over HTTPS, where compression of secrets next to
        // attacker-chosen text leaks them (BREACH).
        builder.Services.AddResponseCompression(o => o.MimeTypes = ["text/javascript", "application/javascript", "application/json", "text/css", "text/html", "text/csv"]);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseResponseCompression();
        app.UseWebAssets();
        app.UseRouting();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseAntiforgery();

        var open = app.MapGroup("/api/v1");
        DocsApi.Map(open, options);
        app.MapOpenApi(OpenApiSetup.DocumentPath).AllowAnonymous();
        app.MapScalarApiReference("/api/docs", o =>
        {
            o.Title = "MaterialsDb API";
            o.OpenApiRoutePattern = OpenApiSetup.DocumentPath;
            o.Telemetry = false;
        }).AllowAnonymous();

        var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.Member).AddEndpointFilter<CsrfFilter>();
        ScreeningsApi.Map(api);
        CampaignsApi.Map(api);
        ResultsApi.Map(api);
        ExplorerApi.Map(api);
        PredictApi.Map(api);
        CatalogApi.Map(api);
        MaterialsApi.Map(api);
        OperatorsApi.Map(api);
        SessionEndpoints.MapApi(api);
        SessionEndpoints.MapPages(app);
        WebApp.MapPages(app, Policies.WebMember, Policies.WebOperator);
        Optimade.OptimadeApi.Map(app);

        // Admins only: the dashboard shows and can requeue every tenant's jobs. Its pages and assets are one endpoint
        // behind the same sign-in (cookie), so links and assets work without a key in any URL.
        app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [], AsyncAuthorization = [], AppPath = "/", DashboardTitle = "MaterialsDb jobs" })
            .RequireAuthorization(Policies.Dashboard);
        return app;
    }

    /// <summary>A worker node: Hangfire workers on the shared PostgreSQL queue, and the sweeper.</summary>
    /// <exception cref="InvalidOptionException">No PostgreSQL connection, or options out of range.</exception>
    public static IHost BuildWorker(ServiceOptions options, DatasetStore datasets, ModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Postgres is null)
        {
            throw new InvalidOptionException("A worker node needs --postgres: it shares the API node's queue through PostgreSQL.");
        }

        options = options with { Workers = Math.Max(1, options.Workers) };
        options.Validate();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        AddCore(builder.Services, options, datasets, registry, null);
        AddWorkers(builder.Services, options);
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
        services.AddSingleton(sp => new ResourceCache(datasets, registry, sp.GetRequiredService<SharedDatabase>()));
        services.AddSingleton<SharedDatabase>();
        services.AddSingleton<Optimade.MatchCounts>();
        services.AddSingleton<ResultPaths>();
        services.AddSingleton<Explorer.ResultIndexCache>();
        services.AddSingleton<PredictorCache>();
        services.AddSingleton<PathRedactor>();
        services.AddSingleton<ScreeningScheduler>();
        services.AddTransient<ScreeningJobs>();
        services.AddSingleton<CampaignFolders>();
        services.AddTransient<CampaignJobs>();

        // Tables are created before anything else starts (registered first, so started first), asynchronously.
        services.AddHostedService<StoreInitializer>();
        if (options.Postgres is { } connection)
        {
            // Created by the container, so disposed by it.
            services.AddSingleton(_ => NpgsqlDataSource.Create(connection));
            services.AddSingleton(sp => state ?? new PostgresStore(sp.GetRequiredService<NpgsqlDataSource>()));
            services.AddSingleton<Database.IMaterialsStore>(sp => new Database.PostgresMaterialsStore(sp.GetRequiredService<NpgsqlDataSource>()));
            services.AddHangfire((sp, c) => c
                .UseLogProvider(new HangfireLogs(sp.GetRequiredService<ILoggerFactory>()))
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UsePostgreSqlStorage(p => p.UseNpgsqlConnection(connection), new PostgreSqlStorageOptions
                {
                    InvisibilityTimeout = options.InvisibilityTimeout,
                    // A running job's fetch time is renewed, so a chunk longer than the timeout is not handed to a second worker.
                    UseSlidingInvisibilityTimeout = true,
                    // A lock row a killed node left (a scheduler's or a job's state lock) would otherwise stay 10 minutes;
                    // no lock here is held for long, so it is freed after the same time as the dead worker's job.
                    DistributedLockTimeout = options.InvisibilityTimeout,
                    QueuePollInterval = TimeSpan.FromMilliseconds(500),
                    SchemaName = PostgresSchema.HangfireSchema,
                    // The StoreInitializer installs it under an advisory lock: Hangfire's own installer races when nodes start together.
                    PrepareSchemaIfNecessary = false,
                }));
        }
        else
        {
            services.AddSingleton(state ?? new MemoryStore());
            services.AddSingleton<Database.IMaterialsStore>(_ => new Database.MemoryMaterialsStore(options.DatabaseFolderInEffect, datasets));
            services.AddHangfire((sp, c) => c
                .UseLogProvider(new HangfireLogs(sp.GetRequiredService<ILoggerFactory>()))
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseInMemoryStorage());
        }

        services.AddSingleton<ScreeningSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<ScreeningSweeper>());
    }

    private static void AddWorkers(IServiceCollection services, ServiceOptions options) =>
        services.AddHangfireServer(o =>
        {
            o.WorkerCount = options.Workers;
            o.Queues = [.. options.Queues];
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
        });

    // Per key (or session) for callers who authenticated, per client address for everyone else: a caller cannot get a
    // fresh budget by inventing keys. Predictions are also bounded per node by a concurrency limiter.
    private static void ConfigureRateLimits(RateLimiterOptions limiter, ServiceOptions options)
    {
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetFixedWindowLimiter(
            Caller.TryOf(http) is { } caller ? "key:" + caller.KeyId : "ip:" + http.Connection.RemoteIpAddress,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = options.RequestsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        limiter.AddPolicy(PredictApi.ConcurrencyPolicy, _ => RateLimitPartition.GetConcurrencyLimiter(
            "predict", _ => new ConcurrencyLimiterOptions { PermitLimit = options.PredictConcurrency, QueueLimit = options.PredictQueue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst }));
        limiter.OnRejected = async (context, ct) =>
        {
            var http = context.HttpContext;
            if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after))
            {
                Problems.RetryAfter(http, after);
                await Problems.WriteAsync(http, ProblemKind.RateLimited, $"at most {options.RequestsPerMinute} requests per minute; try again in {Math.Ceiling(after.TotalSeconds)} s").ConfigureAwait(false);
            }
            else
            {
                Problems.RetryAfter(http, TimeSpan.FromSeconds(1));
                await Problems.WriteAsync(http, ProblemKind.Busy, $"all {options.PredictConcurrency} prediction slots of this node and its queue are busy").ConfigureAwait(false);
            }
        };
    }

    /// <summary>Creates our tables and Hangfire's (PostgreSQL) before the node takes requests or jobs.</summary>
    private sealed class StoreInitializer(IServiceStore store, IServiceProvider services) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            if (services.GetService<NpgsqlDataSource>() is { } database)
            {
                await new Database.PostgresMaterialsStore(database).InitializeAsync(cancellationToken).ConfigureAwait(false);
                await PostgresSchema.InstallHangfireAsync(database, cancellationToken).ConfigureAwait(false);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
